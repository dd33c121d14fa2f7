"""Pure data: packs, grades, transcripts. Depends on nothing else in the project."""
