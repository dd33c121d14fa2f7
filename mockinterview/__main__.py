from mockinterview.cli.main import main

raise SystemExit(main())
