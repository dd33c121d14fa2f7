"""The interview: the interviewer's turns stream in as Markdown, a multi-line answer
editor, a per-question timer, round/question progress, tokens, cost and save state.

Engine calls run in workers (group "engine", exit_on_error=False); each engine event comes
back as its own message (``engine_message``) so all UI updates happen in message handlers,
one per event. Finished messages are one ``Static`` each; the reply in progress is a
``StreamingReply`` redrawn at most once a frame, so the view keeps pace with the model
(docs/DESIGN.md, "Speed").
"""

from __future__ import annotations

import contextlib
import gc
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, Static, TextArea
from textual.worker import Worker, WorkerState

from mockinterview.engine import events as ev
from mockinterview.engine.session import InterviewConfig, InterviewSession
from mockinterview.tui.footer import KeysFooter
from mockinterview.tui.screens.dialogs import ConfirmScreen
from mockinterview.tui.screens.feedback import FeedbackScreen
from mockinterview.tui.widgets import ChatMessage, QuestionTimer, StreamingReply, clean

ENGINE_GROUP = "engine"


class EngineMessage(Message):
    """An engine event, delivered to the screen's message queue (in order). One subclass
    per kind of event, each with its own handler (``engine_message`` picks it)."""

    def __init__(self, event: ev.EngineEvent) -> None:
        super().__init__()
        self.event = event


class ReplyChunk(EngineMessage):
    event: ev.InterviewerChunk


class ModelWaiting(EngineMessage):
    event: ev.ModelCallStarted


class ModelDone(EngineMessage):
    event: ev.ModelCallFinished


class TurnShown(EngineMessage):
    event: ev.TurnAdded


class RoundBegins(EngineMessage):
    event: ev.RoundStarted


class AnswerDue(EngineMessage):
    event: ev.AwaitingAnswer


class Graded(EngineMessage):
    event: ev.GradeReady


class TranscriptSaved(EngineMessage):
    event: ev.Saved


class TokensCounted(EngineMessage):
    event: ev.TokensUpdated


class ModelFailed(EngineMessage):
    event: ev.ModelFault


class RoundOver(EngineMessage):
    event: ev.RoundEnded


class SessionOver(EngineMessage):
    event: ev.SessionEnded


MESSAGE_FOR_EVENT: dict[type, type[EngineMessage]] = {
    ev.InterviewerChunk: ReplyChunk,
    ev.ModelCallStarted: ModelWaiting,
    ev.ModelCallFinished: ModelDone,
    ev.TurnAdded: TurnShown,
    ev.RoundStarted: RoundBegins,
    ev.AwaitingAnswer: AnswerDue,
    ev.GradeReady: Graded,
    ev.Saved: TranscriptSaved,
    ev.TokensUpdated: TokensCounted,
    ev.ModelFault: ModelFailed,
    ev.RoundEnded: RoundOver,
    ev.SessionEnded: SessionOver,
}


def engine_message(event: ev.EngineEvent) -> EngineMessage:
    """The screen message for an engine event (a test checks every event has one)."""
    return MESSAGE_FOR_EVENT[type(event)](event)


class InterviewScreen(Screen[None]):
    CSS_PATH = "interview.tcss"
    BINDINGS = [
        Binding(
            "ctrl+s,ctrl+j,alt+enter",
            "submit",
            "Submit",
            id="interview.submit",
            priority=True,
            key_display="^s/^j",
        ),
        Binding(
            "ctrl+l",
            "clarify",
            "Ask",
            id="interview.clarify",
            priority=True,
            tooltip="Send the editor text as a clarifying question",
        ),
        Binding("ctrl+n", "skip", "Skip", id="interview.skip", priority=True),
        Binding("ctrl+g", "end_round", "End round", id="interview.end_round", priority=True),
        Binding("ctrl+r", "retry", "Retry", id="interview.retry", priority=True),
        Binding("f2", "copy_answer", "Copy answer", id="interview.copy_answer", show=False),
        Binding("escape", "leave", "Leave", id="interview.leave"),
    ]

    def __init__(
        self,
        *,
        config: dict | None = None,
        resume: Path | None = None,
        resume_models: dict[str, str] | None = None,
    ) -> None:
        super().__init__()
        if (config is None) == (resume is None):
            raise ValueError("give either a config or a session to resume")
        self.config = config
        self.resume_path = Path(resume) if resume else None
        self.resume_models = resume_models or {}
        # "thinking… 12 s" while a model works: what it does and since when (app clock).
        self._waiting: tuple[str, float] | None = None
        self._waiting_timer = None
        self._timed: tuple | None = None  # the asked turn the question timer counts for
        self.session: InterviewSession | None = None
        self._stream_widget: StreamingReply | None = None
        self._round = (0, 0)  # (index, total)
        self._question = (0, 0)
        self._round_name = ""
        self._tokens = "0 tokens"
        self._saved = "not saved yet"
        self._fault_retryable = False
        self._last_answer = ""
        self._anchored = False
        self._draft_timer = None  # saves the answer being typed a moment after the last key

    # -- layout ---------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        yield VerticalScroll(id="chat")
        with Horizontal(id="interview-status", classes="status-bar"):
            yield Static("", id="status-progress")
            yield QuestionTimer(clock=self.app.clock, id="status-timer")
            yield Static("", id="status-tokens")
            yield Static("", id="status-saved")
        yield TextArea(id="answer", soft_wrap=True, show_line_numbers=False, tab_behavior="focus")
        yield KeysFooter(compact=True)

    def on_mount(self) -> None:
        self.sub_title = "interview"
        editor = self.query_one("#answer", TextArea)
        editor.cursor_blink = self.app.blink
        editor.border_title = "Your answer"
        editor.border_subtitle = "submit: ctrl+s · ctrl+j · alt+enter"
        self._set_busy(True)
        self._update_status()
        self._run(self._start(), "start")

    def on_screen_suspend(self) -> None:
        """Another screen on top (feedback, help, a dialog): the question clock stops, in the
        status bar and in the engine (its time-limit notes)."""
        self.query_one(QuestionTimer).pause()
        if self.session is not None:
            self.session.pause_clock()

    def on_screen_resume(self) -> None:
        self.query_one(QuestionTimer).resume()
        if self.session is not None:
            self.session.resume_clock()

    async def on_unmount(self) -> None:
        # Release the model clients (HTTP connections) when the screen goes away.
        if self.session is not None:
            with contextlib.suppress(Exception):
                await self.session.close()

    # -- engine plumbing --------------------------------------------------------------

    def _listener(self, event: ev.EngineEvent) -> None:
        self.post_message(engine_message(event))

    def _run(self, coro, name: str) -> None:
        self.run_worker(coro, name=name, group=ENGINE_GROUP, exit_on_error=False, exclusive=False)

    async def _start(self) -> None:
        if self.resume_path is not None:
            self.session = await InterviewSession.resume(
                self.resume_path, listener=self._listener, **self.resume_models
            )
            await self._show_history(self.session.transcript.turns)
            if self.session.draft:  # what was being typed when the session was left
                editor = self.query_one("#answer", TextArea)
                editor.load_text(self.session.draft)
                editor.move_cursor(editor.document.end)
        else:
            self.session = await InterviewSession.create(
                InterviewConfig(**self.config), listener=self._listener
            )
        # Everything alive now (modules, the pack, the token tables, Textual's styles) lives
        # as long as the app. Frozen, a full collection no longer scans it: unfrozen, those
        # ~130k objects made each one a 120-200 ms pause mid-stream (bench/tui_streaming.py).
        gc.freeze()
        await self.session.begin()

    async def _show_history(self, turns) -> None:
        chat = self.query_one("#chat", VerticalScroll)
        await chat.mount_all([ChatMessage(t) for t in turns])
        chat.scroll_end(animate=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != ENGINE_GROUP:
            return
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            message = (getattr(error, "message", None) or str(error) or type(error).__name__).splitlines()[0]
            if self.session is None:  # could not start or resume: nothing to show here
                self.notify(
                    clean(message), title="Cannot start the interview", severity="error", timeout=20, markup=False
                )
                self.dismiss(None)
                return
            self.notify(
                f"{clean(message)}\nThe session is saved; ctrl+r retries.",
                title="Something went wrong",
                severity="error",
                timeout=20,
                markup=False,
            )
            self._fault_retryable = True
            self.refresh_bindings()
            self._set_busy(False)
        elif event.state == WorkerState.SUCCESS and self.session is not None:
            self._set_busy(self.session.state != "awaiting-answer")

    # -- engine events, one handler each ----------------------------------------------

    @on(ReplyChunk)
    async def _reply_chunk(self, message: ReplyChunk) -> None:
        if self._waiting is not None:
            self._stop_waiting()
            self.query_one("#answer", TextArea).border_title = "Interviewer is speaking…"
        await self._stream_chunk(message.event.text)
        # nothing in the status bar changes per chunk: no re-render of it

    @on(ModelWaiting)
    def _model_waiting(self, message: ModelWaiting) -> None:
        self._start_waiting(message.event)

    @on(ModelDone)
    def _model_done(self, message: ModelDone) -> None:
        self._stop_waiting()

    @on(TurnShown)
    async def _turn_shown(self, message: TurnShown) -> None:
        await self._add_turn(message.event)
        self._update_status()

    @on(RoundBegins)
    def _round_begins(self, message: RoundBegins) -> None:
        event = message.event
        self._round = (event.index + 1, event.total_rounds)
        self._round_name = event.round
        self._question = (0, event.questions)
        self._update_status()

    @on(AnswerDue)
    def _answer_due(self, message: AnswerDue) -> None:
        self._set_busy(False)
        # The clock is the question's (or follow-up's): an answered clarifying question
        # does not restart it, as the engine's time-limit notes do not.
        asked = None
        if self.session is not None:
            progress = self.session.progress()
            asked = (progress.round, progress.question_id, progress.follow_ups)
        if asked is None or asked != self._timed:
            self.query_one(QuestionTimer).start(message.event.time_limit_s)
            self._timed = asked
        self._update_status()

    @on(Graded)
    def _graded(self, message: Graded) -> None:
        self._update_status()  # grades are shown on the feedback screen, not mid-round

    @on(TranscriptSaved)
    def _transcript_saved(self, message: TranscriptSaved) -> None:
        self._saved = "✓ saved"
        self._update_status()

    @on(TokensCounted)
    def _tokens_counted(self, message: TokensCounted) -> None:
        event = message.event
        self._tokens = f"{event.usage.total:,} tokens ≈ ${event.estimated_cost_usd:.4f}"
        self._update_status()

    @on(ModelFailed)
    async def _model_failed(self, message: ModelFailed) -> None:
        event = message.event
        await self._end_stream()
        self._fault_retryable = event.retryable
        self.refresh_bindings()  # the footer now offers ctrl+r Retry
        hint = (
            "Press ctrl+r to retry."
            if event.retryable
            else "Retrying will not help; check the model settings."
        )
        self.notify(
            f"{event.message}\nThe session is saved. {hint}",
            title="Model error",
            severity="error",
            timeout=30,
            markup=False,
        )
        self._update_status()

    @on(RoundOver)
    def _round_over(self, message: RoundOver) -> None:
        index, total = self._round
        if index < total:  # the last round's feedback is the session's
            self._show_feedback(message.event.round)
        self._update_status()

    @on(SessionOver)
    def _session_over(self, message: SessionOver) -> None:
        self.query_one(QuestionTimer).stop()
        self._show_feedback(None, then_leave=True)
        self._update_status()

    async def _stream_chunk(self, text: str) -> None:
        chat = self.query_one("#chat", VerticalScroll)
        if self._stream_widget is None:
            self._stream_widget = StreamingReply(classes="msg interviewer streaming")
            await chat.mount(self._stream_widget)
        self._stream_widget.append(text)
        self._follow(chat)

    def _follow(self, chat: VerticalScroll) -> None:
        """Keep the newest text in view.

        Once the chat overflows it is anchored: it then follows the stream by itself and
        stops following while the user scrolls up to re-read (far cheaper than a
        scroll_end per chunk). Before that, anchoring would pin short chats to the bottom.
        """
        if self._anchored:
            return
        if chat.max_scroll_y > 0:
            chat.anchor()
            self._anchored = True
        else:
            chat.scroll_end(animate=False)

    async def _end_stream(self) -> None:
        if self._stream_widget is not None:
            await self._stream_widget.remove()
            self._stream_widget = None

    async def _add_turn(self, event: ev.TurnAdded) -> None:
        turn = event.turn
        if turn.speaker == "interviewer":
            await self._end_stream()  # the finished reply replaces the live widget
        if event.question_index is not None and event.questions_in_round:
            self._question = (event.question_index + 1, event.questions_in_round)
        chat = self.query_one("#chat", VerticalScroll)
        await chat.mount(ChatMessage(turn))
        self._follow(chat)

    def _show_feedback(self, round_id: str | None, *, then_leave: bool = False) -> None:
        def leave(_: object) -> None:
            self.dismiss(None)

        snapshot = self.session.transcript.model_copy(deep=True)
        self.app.push_screen(FeedbackScreen(snapshot, round_id), leave if then_leave else None)

    # -- "thinking… 12 s" -----------------------------------------------------------------

    def _start_waiting(self, event: ev.ModelCallStarted) -> None:
        self._stop_waiting()
        if event.model == "stub":
            return  # the offline stub answers at once
        what = "Grading your answer" if event.purpose == "grade" else "Interviewer is thinking"
        self._waiting = (what, self.app.clock())
        self._waiting_timer = self.set_interval(1.0, self._show_waiting)
        self._show_waiting()

    def _show_waiting(self) -> None:
        if self._waiting is None:
            return
        what, since = self._waiting
        editor = self.query_one("#answer", TextArea)
        editor.border_title = f"{what}… {self.app.clock() - since:.0f} s"

    def _stop_waiting(self) -> None:
        self._waiting = None
        if self._waiting_timer is not None:
            self._waiting_timer.stop()
            self._waiting_timer = None

    # -- status -------------------------------------------------------------------------

    def _set_busy(self, busy: bool) -> None:
        editor = self.query_one("#answer", TextArea)
        editor.read_only = busy
        editor.set_class(busy, "busy")
        editor.border_title = "Interviewer is speaking…" if busy else "Your answer"
        if not busy:
            self._stop_waiting()
            editor.focus()

    def _update_status(self) -> None:
        r, rt = self._round
        q, qt = self._question
        if self.session is not None:  # the engine's own view wins over what events said
            p = self.session.progress()
            if p.round is not None:
                self._round_name, r, rt = p.round, p.round_index + 1, p.total_rounds
                q, qt = p.question_index + 1, p.questions_in_round
        progress = f"{self._round_name or 'starting'} {r}/{rt} · Q {q}/{qt}" if rt else "starting…"
        self.query_one("#status-progress", Static).update(progress)
        self.query_one("#status-tokens", Static).update(self._tokens)
        self.query_one("#status-saved", Static).update(self._saved)

    # -- actions -------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Retry shows in the footer only while a failed step waits for it.
        if action == "retry":
            return self._fault_retryable or (self.session is not None and self.session.state == "needs-retry")
        return True

    def _ready(self, *, after_fault: bool = False) -> bool:
        """The engine can take the candidate's action now. Skipping and ending a round
        also work after a failed step (they never need the model)."""
        allowed = ("awaiting-answer", "needs-retry") if after_fault else ("awaiting-answer",)
        if self.session is None or self.session.state not in allowed:
            self.notify("Wait for the interviewer to finish.", severity="warning", timeout=3, markup=False)
            return False
        return True

    def _take_text(self) -> str | None:
        editor = self.query_one("#answer", TextArea)
        text = editor.text.strip()
        if not text:
            return None
        editor.clear()
        return text

    def _after_typing(self, callback) -> None:
        """Run ``callback`` once the editor has handled the keys already sent to it.

        A priority binding fires before the editor's queue drains, so a fast paste followed
        by ctrl+s would otherwise lose the last characters of the answer.
        """
        self.query_one("#answer", TextArea).call_later(callback)

    def action_submit(self) -> None:
        self._after_typing(self._submit)

    def action_clarify(self) -> None:
        self._after_typing(self._clarify)

    def _submit(self) -> None:
        if not self._ready():
            return
        text = self._take_text()
        if text is None:
            self.notify(
                "Type an answer first (ctrl+n skips the question).",
                severity="warning",
                timeout=4,
                markup=False,
            )
            return
        self._last_answer = text
        self.query_one(QuestionTimer).stop()
        self._saved = "saving…"
        self._set_busy(True)
        self._update_status()
        self._run(self.session.submit_answer(text), "submit")

    def _clarify(self) -> None:
        if not self._ready():
            return
        text = self._take_text()
        if text is None:
            self.notify(
                "Type your clarifying question in the editor, then press ctrl+l.", timeout=4, markup=False
            )
            return
        self._set_busy(True)
        self._run(self.session.ask_clarification(text), "clarify")

    def action_skip(self) -> None:
        if self._ready(after_fault=True):
            self.query_one(QuestionTimer).stop()
            self._set_busy(True)
            self._run(self.session.skip(), "skip")

    def action_end_round(self) -> None:
        if not self._ready(after_fault=True):
            return

        def done(confirmed: bool | None) -> None:
            if confirmed and self._ready(after_fault=True):
                self.query_one(QuestionTimer).stop()
                self._set_busy(True)
                self._run(self.session.end_round(), "end-round")

        self.app.push_screen(ConfirmScreen("End this round now? Unasked questions are skipped."), done)

    def action_retry(self) -> None:
        if self.session is None or not (self._fault_retryable or self.session.state == "needs-retry"):
            self.notify("Nothing to retry.", timeout=3, markup=False)
            return
        self._fault_retryable = False
        self.refresh_bindings()
        self._set_busy(True)
        self._run(self.session.retry(), "retry")

    def action_copy_answer(self) -> None:
        text = self.query_one("#answer", TextArea).text.strip() or self._last_answer
        if not text:
            self.notify("No answer to copy yet.", timeout=3, markup=False)
            return
        self.app.copy_to_clipboard(text)
        self.notify("Answer copied (OSC 52)", timeout=3, markup=False)

    # -- the answer being typed is kept -----------------------------------------------

    DRAFT_SAVE_DELAY_S = 2.0

    @on(TextArea.Changed, "#answer")
    def _answer_changed(self, event: TextArea.Changed) -> None:
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._draft_timer = self.set_timer(self.DRAFT_SAVE_DELAY_S, self.save_draft)

    def save_draft(self) -> None:
        """Save the editor's text with the transcript (restored on resume)."""
        if self._draft_timer is not None:
            self._draft_timer.stop()
            self._draft_timer = None
        if self.session is None or self.session.state == "finished":
            return
        try:
            self.session.save_draft(self.query_one("#answer", TextArea).text)
        except OSError as exc:  # a full disk: say so, keep the text in the editor
            self.notify(f"Could not save the draft: {exc}", severity="error", markup=False)

    def _open(self) -> bool:
        return self.session is not None and self.session.state != "finished"

    def _leave_question(self) -> str:
        typed = self.query_one("#answer", TextArea).text.strip()
        kept = "Your answer so far is kept" if typed else "Every answer is saved"
        return f"{kept}; resume the session later from home or history."

    def action_leave(self) -> None:
        if not self._open():
            self.dismiss(None)
            return

        def done(confirmed: bool | None) -> None:
            if confirmed:
                self.save_draft()
                self.workers.cancel_group(self, ENGINE_GROUP)
                self.dismiss(None)

        self.app.push_screen(
            ConfirmScreen(f"Leave the interview? {self._leave_question()}", yes="Leave"), done
        )

    def confirm_quit(self) -> bool:
        """ctrl+q (or Quit in the palette) mid-interview asks first, as Leave does; True
        when it asked (the app then waits for the answer)."""
        if not self._open():
            return False

        def done(confirmed: bool | None) -> None:
            if confirmed:
                self.save_draft()
                self.workers.cancel_group(self, ENGINE_GROUP)
                self.app.exit()

        self.app.push_screen(ConfirmScreen(f"Quit mockinterview? {self._leave_question()}", yes="Quit"), done)
        return True
