"""Detectors for the common-mistake list.

A mistake is found when one of its cues matches in a sentence that is neither negated
nor hedged ("I would NOT push everyone to X" and "a common trap is to say X causes Y"
are not the mistake), and none of its counter cues matches un-negated anywhere in the
answer, outside a sentence that merely defines a term ("Leakage is when..." does not
clear leakage-unchecked; "we never checked for leakage" does not either). Cues match
their words in any order, so the pack keeps them specific; each canonical mistake also
has a code check for the phenomenon itself, run on every question unless noted:

* leakage-unchecked: a score in the high nineties reported as a result however written
  ("0.98", ".98", "98.7% accurate", "99 percent"; no negation or doubt in its sentence,
  not a training score), a near-perfect result in words ("almost flawless", "caught
  nearly every fraud"), a jump of 0.15+ between two scores ("from 60 to 95"), a field
  only known after the outcome (cancellation reason, chargeback or dispute status,
  "later refunded"...) used as an input, or random folds over data ordered in time;
* correlation-as-causation: a causal conclusion ("so the discount clearly works",
  "that proves the redesign works", "X is the main driver", "so we should send it to
  everyone") drawn from observational evidence (an association, "customers who...",
  SHAP or feature importance, a before/after comparison; "X is responsible for the
  lift", "turn it on by default"). On questions prone to it the
  question supplies the evidence. Conditionals do not excuse the conclusion ("if it is
  higher, that proves..."); a distancing word before it does;
* needless-complexity: a heavy model family (deep nets, LSTMs, transformers, GPU
  clusters, "state of the art") in a sentence that proposes or justifies it;
* data-quality-ignored: rushing into modelling on the data as it is (training on all of
  it, everything into AutoML, dropping or zero-filling missing values, "straight to a
  model", the raw export straight into XGBoost, "the data as it came", "no need to clean
  anything"). Off the questions prone to it, the sentence must also say it is a shortcut
  ("just", "straight", "move on"...), as "train on all the data" after cross-validation
  is sound practice;
* no-monitoring: retraining or deployment that replaces the live model automatically
  ("goes live every week", "with no human in the loop"), or deployment told as the end
  of the work ("nothing more to do", "push it live and we're done");
  on prone questions, any first-person deployment with no monitoring anywhere; elsewhere
  a deployment "right away";
* metrics-without-impact: an offline metric stated as the success criterion. Its cues
  (metric names) count only in a sentence that reports a value and only on questions
  prone to it: naming a metric is not the mistake. "Successful if recall goes up" is
  the mistake too: a conditional does not distance a definition of success.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from mockinterview.domain.grade import MistakeFinding
from mockinterview.domain.pack import Mistake
from mockinterview.grading.matching import Phrase, compile_all, find_matches
from mockinterview.grading.text import Analysis, Sentence, stem

# Cues that are ordinary vocabulary (any answer about metrics says "AUC", any answer about
# model families says "neural network"): only checked when the question is prone to it.
PRONE_ONLY = frozenset({"metrics-without-impact", "needless-complexity"})
# Mentioning a metric is not the mistake; reporting a metric's VALUE as the outcome is.
NEEDS_A_NUMBER = frozenset({"metrics-without-impact"})

# A score in the high nineties however written: "0.98", ".98", "98.7%", "99 percent".
_NINETIES = r"(?:(?<![\w.])0?\.9[7-9]\d*|(?<![\w.])9[7-9](?:\.\d+)?\s*(?:%|percent\b|per cent\b)|100\s*(?:%|percent\b))"
_HIGH_SCORE_RE = re.compile(
    r"\b(?:auc|roc(?:[- ]?auc)?|auroc|auprc|pr[- ]auc|gini|accuracy|f1|precision|recall|r2|r-squared)\b[^!?\n]{0,40}?"
    + _NINETIES
    + r"|"
    + _NINETIES
    + r"[^!?\n]{0,25}?\b(?:auc|roc|auroc|gini|accuracy|accurate|f1|precision|recall|correct|right)\b",
)
_ASSOCIATION_RE = re.compile(
    r"\b(?:correlat\w*|associated with|(?:users|customers|people|clients|students|those|patients|stores) who|"
    r"\d+(?:\.\d+)?\s*(?:x|times) (?:more|higher|better|less|lower)|\d+(?:\.\d+)?\s*%\s*(?:more|higher|better|"
    r"less|lower|worse)|versus|vs|compared? (?:with|to) (?:everyone|the rest|other|those|non)|coefficient|"
    r"feature importances?|shap|opted in(?:to)?|who (?:use|used|saw|have|had))\b",
)
# A causal reading of that evidence: "so the app reduces churn", "it's a causal driver".
_CAUSAL_CLAIM_RE = re.compile(
    r"\b(?:so|therefore|thus|hence)\b[^.!?\n]{0,60}?\b(?:reduces|increases|raises|causes|drives|improves|lowers|"
    r"works|prevents|will (?:raise|reduce|increase|lower|improve|bring|cut|drive))\b|"
    r"\b(?:a causal driver|causal drivers?|levers? to pull|make (?:it|the \w+) mandatory|move everyone|"
    r"everyone onto|tells? you what (?:drives|causes)|we should (?:roll|move|push|make|add|get|force|require|"
    r"launch) \w+)\b",
)
_PRESCRIPTION_RE = re.compile(
    r"\b(?:so|therefore|thus|hence|which means)\b,?\s+(?:we|you|i|the (?:company|business|team))\s+"
    r"(?:should|must|need to|ought to|have to|will)\b|"
    r"\b(?:should|must|let's|need to)\s+(?:push|encourage|get|make|force|incentivi[sz]e|nudge|require)\s+"
    r"(?:everyone|everybody|all|more|users|customers|people|them|applicants|members|shoppers|clients)\b|"
    r"\b(?:should|must|let's|need to|i'd|we'd|i would|we would)\s+(?:turn|switch|enable|roll)\s+(?:it|them|\w+)\s+"
    r"(?:on|out)\s+(?:by default|for (?:everyone|everybody|all))\b|"
    r"\b(?:should|must|let's|need to)\s+make (?:it|them|\w+) (?:the )?default\b|"
    # "a strong recommendation is to get more users to save a card"
    r"\b(?:get|push|encourage|nudge|force|require|persuade|convince) (?:more|all|every|the other|other) "
    r"(?:\w+ )?(?:users|customers|people|members|shoppers|clients|stores|accounts|students|patients) to\b",
)
# A top score with no metric named ("0.99 is about as good as it gets"), read as a result
# only in a sentence that approves of it.
_BARE_HIGH_SCORE_RE = re.compile(
    r"(?<![\w.])(?:0?\.9[7-9]\d*|9[7-9](?:\.\d+)?\s*(?:%|percent\b|per cent\b))(?![\w]|\.\d)"
)
_APPROVAL_RE = re.compile(
    r"\b(?:good|great|strong|excellent|amazing|impressive|fantastic|congrats|ready|ship|shipped|live|best|"
    r"works?|worked|happy|proud|solid|nice|thrilled|delighted|pleased|celebrat\w*|win|won|handed|hand|"
    r"deploy\w*|launch\w*|rolled|production|flawless\w*|perfect\w*|brilliant|outstanding|wonderful|"
    r"superb|remarkable|incredible|awesome|success\w*|beat|beats|nailed)\b"
)
# A near-perfect result in words ("almost flawless", "caught nearly every fraud"), read as
# a result only in a sentence about the model or its score.
_NEAR_PERFECT_RE = re.compile(
    r"\b(?:near(?:ly)?|almost|virtually|practically|basically|essentially)[- ](?:perfect(?:ly)?|flawless(?:ly)?|"
    r"every(?:thing| single)?|all (?:of )?the (?:fraud|churn|default|positive)\w*|100)\b|"
    r"\b(?:perfect|flawless) (?:score|accuracy|auc|recall|precision|separation|classifier|model|results?)\b"
)
_MODEL_RESULT_RE = re.compile(
    r"\b(?:model|classifier|auc|roc|accuracy|accurate|score[sd]?|recall|precision|predict\w*|caught|catches|"
    r"flagged|detected|separat\w*)\b"
)
_NOT_A_SCORE_RE = re.compile(r"\b(?:percentile|quantile|confidence|interval|p-value|alpha|significan\w*)\b")
# A top score met with suspicion or explained away is not taken at face value.
_SCEPTIC_RE = re.compile(
    r"\b(?:useless|meaningless|trivial\w*|suspicious\w*|suspect\w*|too good|red flag|sanity|check\w*|verify|"
    r"leak\w*|majority|all (?:zeros|negatives|no)|baseline|negatives|dummy|inflat\w*|"
    r"investigat\w*|audit\w*|doubt\w*|skeptic\w*|sceptic\w*|tells? (?:me |us |you )?nothing)\b"
)
# Random shuffling of data ordered in time lets the model see the future.
_RANDOM_SPLIT_RE = re.compile(
    r"\brandom(?:ly)? (?:shuffled? )?(?:cross-validation|cv|k-fold|split|splits|train[/-]test split|shuffle|"
    r"folds?)\b|\bshuffled? (?:the )?(?:rows|data) (?:before|and) split"
)
_TEMPORAL_RE = re.compile(
    r"\b(?:forecast\w*|time series|time-series|daily|weekly|monthly|seasonal\w*|"
    r"over time|sequences?|history|historical|next (?:day|week|month))\b"
)
# A high TRAINING score, or a train/validation gap, is overfitting talk, not a leakage red flag.
_TRAINING_METRIC_RE = re.compile(
    r"\b(?:train(?:ing)?|in-sample) (?:set |data )?(?:accuracy|auc|scores?|f1|error|loss|performance)\b"
)
_TRAINING_SCORE_RE = re.compile(
    r"\b(?:train(?:ing)?|in-sample) (?:set |data )?(?:accuracy|auc|scores?|f1|error|loss|performance|set|data)\b|"
    r"\bon (?:the )?train(?:ing)?\b|\boverfit\w*|\bgap\b"
)
# Planning or reporting a model / a deployment in the first person (absence checks).
_MODEL_PLAN_RE = re.compile(
    r"\b(?:i|we|i'd|we'd|let's|i'll|we'll)\s+(?:would\s+|will\s+|then\s+|just\s+|first\s+|directly\s+|"
    r"immediately\s+|simply\s+)*(?:train|trained|build|built|fit|fitted|fine-tune|fine-tuned|finetune|throw|"
    r"threw|feed|fed|apply|applied|"
    r"use|used|go with|went with|pick|picked|choose|chose)\b[^.!?\n]{0,60}?\b(?:model|classifier|regression|"
    r"xgboost|lightgbm|forest|network|algorithm|gbm|boosting|svm|transformer|bert|llm)\b",
)
_DEPLOY_RE = re.compile(
    r"\b(?:i|we|i'd|we'd|i'll|we'll)\s+(?:would\s+|will\s+|then\s+|just\s+|finally\s+)*(?:deploy|deployed|"
    r"ship|shipped|launch|launched|release|released|roll(?:ed)? (?:it )?out|put (?:it|the model) (?:live|"
    r"in(?:to)? production)|get (?:it|the model) (?:live|in(?:to)? production)|switch\w*\b[^.!?\n]{0,30}?\bover|"
    r"replace (?:the )?(?:rules|current|old|existing)|push(?:ed)? (?:it|the model) (?:live|to production|"
    r"in(?:to)? production))\b",
)


# --- needless-complexity: a heavy model family or "state of the art" proposed as the plan.
_COMPLEX_MODEL_RE = re.compile(
    r"\b(?:deep (?:learning|neural|nets?|models?|networks?)|neural (?:nets?|networks?)|lstms?|rnns?|grus?|"
    r"transformers?|bert|gpt[- ]?\d*|llms?|large language models?|foundation models?|gpu (?:clusters?|farms?)|"
    r"(?:a |multiple |several |many )?gpus|state[- ]of[- ]the[- ]art|sota|cutting[- ]edge|most (?:advanced|powerful|"
    r"complex|sophisticated) (?:model|approach|method|algorithm|architecture)s?|graph neural|autoencoders?|"
    r"reinforcement learning|(?:huge|big|large|massive|stacked) (?:ensembles?|stacks?)|meta-?learners?|two-tower|"
    r"deep [\w-]+ (?:models?|networks?|architectures?)|stack(?:ing)? (?:of )?(?:\d+|many|"
    r"several|dozens of) models)\b",
)
# The sentence chooses it: a first-person plan, a recommendation, or a reason given for it.
_PROPOSAL_RE = re.compile(
    r"\b(?:i|we|i'd|we'd|i'll|we'll|let's|you)\b[^.!?\n]{0,40}?\b(?:use|using|train|build|go|went|pick|choose|"
    r"chose|deploy|throw|apply|fit|try|switch|move|spin|rent|need|want|recommend|propose|start|jump|reach|"
    r"replace|fine-tune|finetune)\b|\b(?:should|must|best|better|only|always|obviously|clearly|definitely|"
    r"because|since|that's what|the way to go|the answer|the right)\b",
)
# --- correlation-as-causation: observational evidence of any kind ...
_OBSERVATIONAL_RE = re.compile(
    r"\b(?:correlat\w*|associated with|association|(?:users|customers|people|clients|students|those|patients|"
    r"stores|shoppers|members|subscribers|accounts|ones) (?:who|that|with)|shap|feature importances?|"
    r"(?:top|most important|strongest|biggest) (?:feature|predictor|variable|signal)s?|coefficients?|"
    r"before and after|since (?:we|the|it)|after (?:we|the) (?:launch|introduc|roll|redesign|chang|switch|start|"
    r"add|ship|release)\w*|(?:went|go|goes|rose|fell|dropped|jumped|increased|decreased|climbed) (?:up|down|by|"
    r"from|after)|(?:than|compared (?:with|to)|versus|vs\.?) (?:before|last|the previous|those|non|everyone|the "
    r"rest|other)|\d+(?:\.\d+)?\s*(?:x|times) (?:more|higher|better|less|lower)|\d+(?:\.\d+)?\s*%\s*(?:more|"
    r"higher|better|less|lower|worse|fewer)|(?:higher|lower|less|more|better) (?:churn|retention|conversion|"
    r"sales|spend|revenue|engagement)|opted in(?:to)?|who (?:use|used|got|received|saw|have|had|took|"
    r"opened|clicked)|uplift|lift)\b",
)
# ... and a causal conclusion drawn from it.
_CAUSAL_CONCLUSION_RE = re.compile(
    r"\b(?:clearly|definitely|obviously|really|certainly) (?:works?|worked|is working|drives|drove|causes|caused|"
    r"helps|helped|reduces|increases|improves|boosts|is the (?:main |key |biggest )?(?:driver|cause|reason))\b|"
    r"\b(?:proves?|proved|proving|confirms?|confirmed|demonstrates?|shows?|showed|means?|meaning|tells? (?:us|me|you)|"
    r"told (?:us|me)) "
    r"[^.!?\n,;:]{0,40}?\b(?:works|worked|is working|causes?|caused|"
    r"drives?|drove|reduces?|increases?|improves?|raises?|lowers?|prevents?|makes?|keeps?|leads? to|"
    r"is (?:effective|responsible|why))\b|"
    r"\bcauses? (?:customers|users|people|clients|them|sales|churn|retention|conversions?|shoppers|members)\b|"
    r"\b(?:safe|fair) to (?:say|conclude|assume)\b[^.!?\n]{0,50}?\b(?:works|worked|causes?|drives?|reduces?|"
    r"increases?|improves?|raises?|lowers?|prevents?)\b|"
    r"(?:\b(?:is|are|was|were)|'s) (?:clearly |obviously |definitely )?(?:the |our )?(?:main|key|biggest|primary|real|"
    r"major|top) (?:driver|cause|reason|lever)s?\b|"
    # "the new onboarding is responsible for the lift", "the promo is what drove sales"
    r"(?:\b(?:is|are|was|were)|'s) (?:clearly |obviously |definitely )?(?:responsible for|behind|what (?:drove|drives|"
    r"caused|causes)) (?:the |our |this |that )?(?:lift|increase|drop|rise|growth|improvement|"
    r"decline|uplift|gain|jump|fall|difference|change|sales|churn|retention|conversions?|results?|customers|users|"
    r"people)\b",
)
# The same conclusions introduced by "so", "therefore"... (a separate pattern: "so" is in
# many sentences, and only these branches need it).
_SO_CONCLUSION_RE = re.compile(
    r"\b(?:so|therefore|thus|hence)\b,?(?:[^.!?\n]{0,20}?\b(?:recommend|suggest|propose)\w* (?:that (?:we|they) )?"
    r"(?:\w+ing|roll|give|send|push|make|extend|offer|expand|scale|launch|move|install|add|buy)\b|"
    r"\s+(?:let's|we'll|i'll|we'd|i'd)\s+\w+\s+(?:\w+\s+)?(?:everyone|everybody|all (?:\w+ )?(?:users|customers|stores|"
    r"members|shoppers|clients))\b|"
    r"[^.!?\n]{0,40}?\b(?:works|worked|is working|causes?|drives?|reduces?|"
    r"increases?|improves?|will (?:raise|reduce|increase|lower|improve|bring|cut|drive|boost|fix))\b|"
    r"\s+(?:we|you|i|the (?:company|business|team))\s+(?:should|must|need to|"
    r"can|will)\s+(?:give|offer|send|increase|raise|cut|reduce|remove|add|push|expand|roll|scale|invest|double|"
    r"make|move|get|force|require|launch|extend|apply|target)\b)",
)
# --- leakage-unchecked: a jump between two scores ("from 0.71 to 0.93").
_SCORE_JUMP_RE = re.compile(
    r"\b(?:auc|roc|auroc|accuracy|f1|precision|recall|score|r2|gini)\b[^!?\n]{0,50}?\bfrom\s+(?:about\s+|around\s+|roughly\s+)?"
    r"(0?\.\d+|\d{1,3}(?:\.\d+)?(?:\s*(?:%|percent\b))?)\s+(?:to|up to|all the way to)\s+(?:over\s+|about\s+|around\s+)?"
    r"(0?\.\d+|\d{1,3}(?:\.\d+)?(?:\s*(?:%|percent\b))?)",
)
SUSPICIOUS_JUMP = 0.15
# Fields only known after the outcome, used as model inputs.
# Written as prose or as column names ("cancellation reason", "cancellation_reason").
_POST_OUTCOME_FIELD_RE = re.compile(
    (
        r"\b(?:cancell?ation_(?:reason|date|status|flag|code|type)s?|reasons?_for_(?:cancell?ing|cancell?ation|"
        r"leaving|churn)|churn_(?:reason|date)s?|charge-?backs?(?:_(?:flag|status|indicator|count)s?)?|"
        r"disputes?_(?:status|flag|outcome|result)s?|refunds?_(?:issued|status|flag|amount|given)|refunded|"
        r"(?:account|contract)_(?:closed|closure|termination)(?:_date)?|days_since_(?:account_|contract_)?"
        r"(?:closed|closure|cancell?ation|termination)|collections?_(?:status|flag)|written_off|write-?offs?|"
        r"return_(?:status|reason|flag)s?|final_(?:status|outcome|resolution)|resolution_(?:code|status)|"
        r"exit_(?:survey|interview)|\w+_(?:at|after)_(?:close|closure|cancell?ation|churn|default))\b"
    ).replace("_", "[ _]")
    # Told as an event after the fact: "whether the transaction was later disputed".
    + r"|\b(?:later|eventually|subsequently|afterwards|ultimately|ended up being|ended up) (?:got |was |were |being )?"
    r"(?:disputed|refunded|charged back|cancell?ed|returned|written off|defaulted|closed|churned|reported)\b",
)
_AS_FEATURE_RE = re.compile(
    r"\b(?:features?|inputs?|predictors?|variables?|columns?|signals?|include|including|included|add|added|"
    r"adding|use|used|using|feed|fed|put|throw)\b",
)
# --- data-quality-ignored: rushing into modelling on the data as it is.
_RUSH_RE = re.compile(
    r"\b(?:train|fit|feed|throw|dump|build|fine-tun|finetun)\w*\b[^.!?\n]{0,60}?\b(?:on|with|in|into|at)\s+(?:everything|all (?:of )?"
    r"(?:the |our )?(?:\w+ )?(?:data|dataset|history|rows|records|features|columns|tickets|orders|transactions|"
    r"events|logs|customers|years?|months?)|the (?:whole|full|"
    r"entire) (?:data|dataset|history|table|warehouse|export|extract|dump|logs?))\b|"
    r"\b(?:train|fit)\w*\b[^.!?\n]{0,30}?\bon (?:the )?(?:last |past )?\w+ (?:years?|months?) of\b|"
    r"\b(?:collect|pull|take|grab|load|use)\w* (?:all|every)\b[^.!?\n]{0,30}?\b(?:data|history|fields|columns|"
    r"features|tables?)\b[^.!?\n]{0,40}?\b(?:model|train\w*|automl|into)\b|"
    r"\b(?:throw|dump|feed|chuck|put)\w* (?:everything|it all|all (?:the|of the|our)? ?(?:data|features|"
    r"columns))\b|\bautoml\b|"
    r"\b(?:drop|delet|remov|discard|exclud|throw (?:away|out)|filter (?:out|away))\w* (?:all |every |any |the )?"
    r"(?:rows?|records?|observations?|customers?)[^.!?\n]{0,25}?"
    r"(?:missing|nulls?|nans?|nas?|empty|blank)\b|\b(?:drop|delet|remov|discard|exclud)\w* (?:all |the |every )?"
    r"(?:missing|null|nan|na)s?(?: values| rows)?\b|"
    # "rows with nulls I'd simply delete"
    r"\b(?:rows?|records?|observations?) (?:with|that have|containing) (?:any )?(?:missing|nulls?|nans?|gaps|blanks?)"
    r"[^.!?\n]{0,30}?\b(?:drop|delete|remove|discard|exclude|throw)\w*|"
    # the raw export straight in
    r"\b(?:raw|uncleaned|unclean|messy|dirty) (?:data|dataset|export|dump|extract|tables?|logs|csv)"
    r"[^.!?\n]{0,30}?\b(?:straight|directly|right) (?:in)?to\b|\bfill(?:ing)? (?:everything|all|every|the missing|missing|nulls|nans|gaps|them|it)"
    r"[^.!?\n]{0,20}?\bwith (?:zeros?|0|the mean|the median|-1)\b|"
    r"\b(?:train|fit|build)\w* (?:an? |the )?(?:[\w-]+ ){0,4}(?:models?|classifiers?|regressors?)"
    r" (?:right away|immediately|straight away|at once)|"
    r"\b(?:nulls?|nans?|missing(?: values)?|gaps|blanks) (?:get|are|were|will be|is|gets) (?:just |simply )?"
    r"(?:filled|replaced|imputed|set) (?:in )?(?:with|by|to|as) (?:zeros?|0|the mean|the median|-1)\b|"
    r"\b(?:start|begin|get|jump)\w* (?:into |on |to )?(?:training|model(?:l)?ing|building (?:the |a )?model|fitting)"
    r"(?: the model| a model)? (?:right away|immediately|straight away|at once|on day one|from day one)|"
    r"\bskip (?:the )?(?:eda|exploration|data checks|cleaning)\b",
)
# Straight to a model, on a question that needs the data understood first (prone only:
# elsewhere, "I'd go straight to gradient boosting" is just a model choice).
_STRAIGHT_TO_MODEL_RE = re.compile(
    r"\b(?:start|go|jump|dive|get|head|load|feed|fed|put|pipe|push|throw|dump|pass|send|plug)\w* "
    r"(?:(?:it|them|everything|the (?:raw )?(?:data|export|table|dataset)) )?(?:straight|right|directly) (?:in)?to "
    r"(?:an? |the )?(?:[\w-]+ ){0,3}"
    r"(?:model\w*|training|xgboost|lightgbm|catboost|network|transformer|lstm|algorithm|classifier|automl|"
    r"regression|forest|boosting)\b"
)
# A success criterion that is an offline metric ("I'd measure success by the AUC").
_SUCCESS_RE = re.compile(
    r"\b(?:success\w*|succeed\w*|(?:call|consider|count|declare) (?:it|this|that|the \w+) (?:a )?(?:win|done|"
    r"finished|complete|successful)|(?:the|our|my) (?:goal|aim|objective)|(?:our|my) target|target (?:is|was|would be|"
    r"of)|aim (?:for|at)|aiming (?:for|at)|the sign|is ready|be ready|ready for|definition of done|good enough|"
    r"kpi|headline|(?:best|great|excellent|strong|fantastic|huge) (?:result|outcome|win)s?|clear (?:win|success)|"
    r"(?:is|was) (?:clearly )?better|(?:should|will|can) replace|most accurate)\b"
)
_SUCCESS_HINTS = (
    "succe",
    "goal",
    "aim",
    "objective",
    "target",
    "the sign",
    "ready",
    "done",
    "enough",
    "kpi",
    "win",
    "finished",
    "complete",
    "headline",
    "result",
    "outcome",
    "better",
    "replace",
    "most accurate",
)
_METRIC_RE = re.compile(
    r"\b(?:auc|roc[- ]auc|accuracy|f1|rmse|mae|mape|wape|smape|mse|ndcg|log[- ]loss|r2|r-squared|precision|"
    r"recall)\b"
)
# Words that say the shortcut is the plan, not a considered choice.
_HASTE_RE = re.compile(
    r"\b(?:just|simply|straight|right away|immediately|everything|quick|quickly|quickest|fastest|move on|"
    r"get going|no need|don't bother|and go|all of it)\b"
)
# Deploying at once, with no stage in between.
_HASTY_DEPLOY_RE = re.compile(
    r"\b(?:right away|immediately|straight away|next (?:sprint|week)|asap|as is|tomorrow|straight to production)\b"
)
_MODEL_WORD_RE = re.compile(r"\b(?:models?|retrain\w*|classifiers?|pipelines?)\b")
# --- no-monitoring: retraining and deployment that replace the live model automatically.
_AUTO_REPLACE_RE = re.compile(
    r"\b(?:overwrit\w*|replac\w*|swap\w*|push\w*|deploy\w*|promot\w*|ship\w*|publish\w*|redeploy\w*)\b"
    r"[^.!?\n]{0,60}?\b(?:automatically|(?:every|each) (?:night|day|week|month|morning|hour|quarter|sunday|monday|"
    r"tuesday|wednesday|thursday|friday|saturday)|nightly|daily|weekly|"
    r"monthly|on a schedule|straight (?:to|in)(?:to)? production|directly (?:to|in)(?:to)? production|"
    r"without (?:any )?(?:\w+ )?(?:review|checks?|human|sign-?off|approval|validation|gate|testing|evaluation)|"
    r"with no (?:\w+ )?(?:review|checks?|human|sign-?off|approval|validation|gate|testing|evaluation)|"
    r"no human in the loop)\b|"
    r"\b(?:automatically|auto-?|(?:every|each) (?:night|day|week|month|sunday|monday|quarter)|nightly|daily|weekly|"
    r"monthly|cron)\b"
    r"[^.!?\n]{0,60}?\b(?:overwrit\w*|replac\w*|swap\w*|push\w* (?:it|the \w+ )?(?:live|to production)|"
    r"deploy\w*|redeploy\w*|promot\w*|goes live|go live)\b|"
    # "the retrained model goes live automatically every week"
    r"\b(?:goes|go|going|went|gets? pushed|is pushed|gets? deployed|is deployed|gets? promoted|is promoted)\s+"
    r"(?:live|to production|into production)\s*[^.!?\n]{0,20}?\b(?:automatically|(?:every|each) (?:night|day|"
    r"week|month|morning)|nightly|daily|weekly|monthly|on a schedule|without (?:any )?(?:review|checks?|human))\b|"
    r"\boverwrit\w* (?:the )?(?:old|current|production|existing|live|previous)? ?models?\b",
)


@dataclass(frozen=True)
class CompiledMistake:
    mistake: Mistake
    cues: list[Phrase]
    counter_cues: list[Phrase]

    @classmethod
    def build(cls, mistake: Mistake) -> CompiledMistake:
        return cls(mistake, compile_all(mistake.cues), compile_all(mistake.counter_cues))

    @property
    def id(self) -> str:
        return self.mistake.id


def _has_number(sentence: Sentence) -> bool:
    return any(t.text[:1].isdigit() or t.text[:1] == "." for t in sentence.tokens)


# "Leakage is when...", "A confounder means...": reciting a definition is not applying it,
# so a counter cue in such a sentence does not clear the mistake.
_DEFINITION_RE = re.compile(
    r"\b(?:is|are|means|refers to|happens|occurs) (?:when|where|if|that)\b|\bis defined as\b|\brefers to\b"
)


# "XGBoost is old news", "A/B tests are overkill here": naming the remedy only to wave it
# away does not clear the mistake either.
_DISMISSAL_RE = re.compile(
    r"\b(?:old news|outdated|old-school|old school|legacy|obsolete|won't cut it|too basic|too simple|"
    r"waste of time|overkill|no need (?:for|to)|don't need|pointless|a thing of the past|dated|formality|already clean|"
    r"unnecessary|not needed)\b"
)


_CONTRAST_RE = re.compile(
    r"\b(?:rather than|instead|first|baseline|beats?|only|than|before|unless|over|vs|versus)\b"
)


def _cleared(cm: CompiledMistake, analysis: Analysis) -> bool:
    for p in cm.counter_cues:
        for m in find_matches(p, analysis):
            if m.negated:
                continue
            s = m.sentence
            # "a stacked ensemble: XGBoost, a neural net..." names the simple model as part of
            # the heavy plan, not instead of it.
            if (
                cm.id == "needless-complexity"
                and _in(analysis, s, _COMPLEX_MODEL_RE)
                and not _in(analysis, s, _CONTRAST_RE)
                and not _in(analysis, s, _DISMISSAL_RE)
            ):
                continue
            if _DEFINITION_RE.search(analysis.lowered, s.start, s.end):
                continue
            if p.source != "overkill" and _DISMISSAL_RE.search(analysis.lowered, s.start, s.end):
                continue
            return True
    return False


# "a feature for whether the customer called" names an indicator, it does not hedge.
_INDICATOR_WORDS = frozenset(
    {"for", "on", "of", "flag", "flags", "feature", "indicator", "column", "variable", "about"}
)


def _hedged(sentence: Sentence) -> bool:
    if not sentence.hedged:
        return False
    toks = sentence.tokens
    return any(
        t.hedge and not (t.text == "whether" and i > 0 and toks[i - 1].text in _INDICATOR_WORDS)
        for i, t in enumerate(toks)
    )


def _plain(sentence: Sentence) -> bool:
    return not _hedged(sentence) and not sentence.negated


# Conditionals do not distance a conclusion from its speaker: "if it's higher, that proves
# the redesign works" still draws the causal conclusion.
_CONDITIONALS = frozenset({"if", "unless", "assuming", "suppose", "supposing", "whether"})


def _asserted(sentence: Sentence, start: int, end: int, conclusion: bool = False) -> bool:
    """The words in [start, end) are stated, not hedged and not under a negation.

    For a ``conclusion`` only a distancing word before it counts ("a tempting mistake is to
    say...", "it might..."): one after it ("so the app works, and if we...") or a
    conditional does not.
    """
    if _hedged(sentence) and (
        not conclusion
        or any(t.hedge and t.start < end and t.text not in _CONDITIONALS for t in sentence.tokens)
    ):
        return False
    if not sentence.negated:
        return True
    return not any(
        i in sentence.negated for i, t in enumerate(sentence.tokens) if t.end > start and t.start < end
    )


def _quote(analysis: Analysis, sentence: Sentence) -> str:
    return analysis.quote(sentence.start, sentence.end)


def _regex_sentence(analysis: Analysis, pattern: re.Pattern[str], *extra: re.Pattern[str]) -> Sentence | None:
    if _ruled_out(analysis, pattern):
        return None
    for s in analysis.sentences_matching(pattern):
        if _plain(s) and all(p.search(analysis.lowered, s.start, s.end) for p in extra):
            return s
    return None


# Substrings one of which every match of a pattern contains: a few `in` tests on the
# answer rule a pattern out far more cheaply than scanning it with the regex.
_HINTS: dict[re.Pattern[str], tuple[str, ...]] = {
    _COMPLEX_MODEL_RE: (
        "deep",
        "neural",
        "lstm",
        "rnn",
        "gru",
        "transformer",
        "bert",
        "gpt",
        "llm",
        "language model",
        "foundation",
        "gpu",
        "state of",
        "state-of",
        "sota",
        "cutting",
        "most advanced",
        "most powerful",
        "most complex",
        "most sophisticated",
        "autoencoder",
        "reinforcement",
        "ensemble",
        "stack",
        "meta",
        "two-tower",
    ),
    _AUTO_REPLACE_RE: (
        "overwrit",
        "replac",
        "swap",
        "push",
        "deploy",
        "promot",
        "ship",
        "publish",
        "live",
        "go",
        "went",
    ),
    _DEPLOY_RE: ("deploy", "ship", "launch", "releas", "roll", "put ", "get ", "switch", "replace", "push"),
    _RUSH_RE: (
        "every",
        " all ",
        "whole",
        "full ",
        "entire",
        "year",
        "month",
        "automl",
        "drop",
        "fill",
        "replac",
        "imput",
        " set ",
        "right away",
        "immediately",
        "straight away",
        "at once",
        "day one",
        "skip",
        "delet",
        "remov",
        "discard",
        "exclud",
        "throw",
        "filter",
        "raw",
        "unclean",
        "messy",
        "dirty",
    ),
    _STRAIGHT_TO_MODEL_RE: ("straight", "right ", "directly"),
    _METRIC_RE: (
        "auc",
        "accuracy",
        "f1",
        "rmse",
        "mae",
        "mape",
        "wape",
        "mse",
        "ndcg",
        "log",
        "r2",
        "r-squared",
        "precision",
        "recall",
    ),
}


def _ruled_out(analysis: Analysis, pattern: re.Pattern[str]) -> bool:
    hints = _HINTS.get(pattern)
    return hints is not None and not any(h in analysis.lowered for h in hints)


def _asserted_match(
    analysis: Analysis,
    pattern: re.Pattern[str],
    accept=None,
    *,
    conclusion: bool = False,
    markers: frozenset[str] | None = None,
) -> Sentence | None:
    """The first sentence where ``pattern`` matches in words that are asserted (neither
    hedged nor negated) and ``accept(sentence, match)`` agrees.

    ``markers``: stems of which every match holds at least one; only sentences with one
    are searched (a set test is much cheaper than a regex scan)."""
    if _ruled_out(analysis, pattern):
        return None
    if markers is not None:
        for s in analysis.sentences:
            if s.all_stems.isdisjoint(markers):
                continue
            for tries, m in enumerate(pattern.finditer(analysis.lowered, s.start, s.end)):
                if tries == MAX_TRIES_PER_SENTENCE:
                    break
                if _asserted(s, m.start(), m.end(), conclusion) and (accept is None or accept(s, m)):
                    return s
        return None
    starts = [s.start for s in analysis.sentences]
    tried_in = tries = -1
    for m in pattern.finditer(analysis.lowered):
        k = bisect_right(starts, m.start()) - 1
        if k < 0 or m.start() >= analysis.sentences[k].end:
            continue
        tries = tries + 1 if k == tried_in else 0
        tried_in = k
        if tries >= MAX_TRIES_PER_SENTENCE:
            continue
        s = analysis.sentences[k]
        if _asserted(s, m.start(), m.end(), conclusion) and (accept is None or accept(s, m)):
            return s
    return None


# Matches of one pattern tried per sentence: each try may scan the sentence again, and a
# sentence that repeats a cue a hundred times gets the verdict of its first few.
MAX_TRIES_PER_SENTENCE = 8


def _in(analysis: Analysis, sentence: Sentence, pattern: re.Pattern[str]) -> bool:
    return pattern.search(analysis.lowered, sentence.start, sentence.end) is not None


def _score_value(text: str) -> float:
    text = text.replace(" ", "").removesuffix("percent").removesuffix("%")
    value = float(text)
    # "from 60 to 95" on a score means percentages.
    return value / 100 if value > 1 else value


# Cheap substring tests that rule a pattern out before its regex runs (most answers hold
# no score in the high nineties, no "from ... to" and no post-outcome field).
_NINETIES_RE = re.compile(r"9[7-9]|1\.0|100")
_NEAR_PERFECT_HINTS = (
    "near",
    "almost",
    "virtually",
    "practically",
    "basically",
    "essentially",
    "perfect",
    "flawless",
)
_POST_OUTCOME_HINTS = (
    "cancel",
    "charge",
    "dispute",
    "refund",
    "closed",
    "closure",
    "termination",
    "collection",
    "written off",
    "write off",
    "write-off",
    "writeoff",
    "return status",
    "return reason",
    "return flag",
    "final status",
    "final outcome",
    "final resolution",
    "resolution code",
    "resolution status",
    "exit survey",
    "exit interview",
    "later ",
    "eventually ",
    "subsequently ",
    "afterwards ",
    "ultimately ",
    "ended up",
    "reason for",
    "reasons for",
    "churn reason",
    "churn date",
    " at c",
    " after c",
    " at default",
    " after default",
)


_LABEL_AFTER_RE = re.compile(r"[ _](?:labels?|targets?|outcomes?|ground truth)\b")
# "Labels are delayed chargebacks": the field named as what is predicted.
_LABEL_BEFORE_RE = re.compile(
    r"\b(?:labels?|targets?|ground truth)\b(?: (?:is|are|come from|=))?[^.!?\n,;]*$"
)


def _sceptical(analysis: Analysis, sentence: Sentence) -> bool:
    """Doubt about a score in its sentence, not itself negated ("I've never seen leakage"
    is no doubt about the score that follows)."""
    for m in _SCEPTIC_RE.finditer(analysis.lowered, sentence.start, sentence.end):
        clauses = {t.clause for t in sentence.tokens if t.end > m.start() and t.start < m.end()}
        if not any(t.negation and t.clause in clauses and t.start < m.start() for t in sentence.tokens):
            return True
    return False


def _face_value_sentence(analysis: Analysis, sentence: Sentence) -> bool:
    """A sentence with a top score that takes it at face value (used for the pack's cues)."""
    return not _sceptical(analysis, sentence) and not _in(analysis, sentence, _TRAINING_METRIC_RE)


def _doubted(sentence: Sentence, start: int, end: int) -> bool:
    """A negation in the clause of [start, end): "I wouldn't trust an AUC of 0.98". One in
    another clause ("I've never hit leakage: my model scored .99") is no doubt about it."""
    clauses = {t.clause for t in sentence.tokens if t.end > start and t.start < end}
    return any(t.negation and t.clause in clauses for t in sentence.tokens)


def _leakage(analysis: Analysis) -> Sentence | None:
    text = analysis.lowered
    nineties = _NINETIES_RE.search(text) is not None

    # Anything negated in a sentence with a top score ("I wouldn't trust...", "what you get by
    # predicting 'won't convert'") is read as doubt about it.
    def face_value(s: Sentence, m: re.Match[str]) -> bool:
        return (
            not _doubted(s, m.start(), m.end())
            and not _in(analysis, s, _TRAINING_SCORE_RE)
            and not _sceptical(analysis, s)
        )

    s = nineties and _asserted_match(analysis, _HIGH_SCORE_RE, face_value)
    if s:
        return s
    near_perfect = any(h in text for h in _NEAR_PERFECT_HINTS)
    s = near_perfect and _asserted_match(
        analysis, _NEAR_PERFECT_RE, lambda s, m: face_value(s, m) and _in(analysis, s, _MODEL_RESULT_RE)
    )
    if s:
        return s

    def big_jump(s: Sentence, m: re.Match[str]) -> bool:
        try:
            before, after = _score_value(m.group(1)), _score_value(m.group(2))
        except ValueError:
            return False
        return (
            after - before >= SUSPICIOUS_JUMP
            and after >= 0.85
            and not _in(analysis, s, _TRAINING_SCORE_RE)
            and not _sceptical(analysis, s)
        )

    s = " from " in text and _asserted_match(analysis, _SCORE_JUMP_RE, big_jump)
    if s:
        return s
    s = nineties and _asserted_match(
        analysis,
        _BARE_HIGH_SCORE_RE,
        lambda s, m: (
            face_value(s, m) and _in(analysis, s, _APPROVAL_RE) and not _in(analysis, s, _NOT_A_SCORE_RE)
        ),
    )
    if s:
        return s
    # A field only known after the outcome, used as an input ("those can't go in" is not).
    spaced = text.replace("_", " ")  # column names ("cancellation_reason") test like prose

    def as_input(s: Sentence, m: re.Match[str]) -> bool:
        # "validated on later months with matured chargeback labels": the field as the label.
        if _LABEL_AFTER_RE.match(text, m.end()) or _LABEL_BEFORE_RE.search(
            text, max(s.start, m.start() - 40), m.start()
        ):
            return False
        return not s.negated and _in(analysis, s, _AS_FEATURE_RE)

    s = any(h in spaced for h in _POST_OUTCOME_HINTS) and _asserted_match(
        analysis, _POST_OUTCOME_FIELD_RE, as_input
    )
    if s:
        return s
    # Random folds over data ordered in time.
    if ("random" in text or "shuffl" in text) and _TEMPORAL_RE.search(text):
        return _asserted_match(analysis, _RANDOM_SPLIT_RE, lambda s, m: not s.negated)
    return None


def _stems(words: str) -> frozenset[str]:
    return frozenset(stem(w) for w in words.split())


# Each causal pattern with the words one of which every match of it contains.
_CAUSAL_PATTERNS = (
    (
        _CAUSAL_CONCLUSION_RE,
        _stems(
            "clearly definitely obviously really certainly prove proves proved proving confirm confirms "
            "confirmed demonstrate demonstrates show shows showed mean means meaning tell tells told cause causes "
            "safe fair driver drivers reason reasons lever levers responsible behind drove drives caused"
        ),
    ),
    (_SO_CONCLUSION_RE, _stems("so therefore thus hence")),
    (
        _CAUSAL_CLAIM_RE,
        _stems("so therefore thus hence causal lever levers make move everyone tell tells should"),
    ),
    (
        _PRESCRIPTION_RE,
        _stems(
            "so therefore thus hence which should must let's need i'd we'd would get push encourage nudge "
            "force require persuade convince"
        ),
    ),
)


def _causal_reading(analysis: Analysis, prone: bool) -> Sentence | None:
    # A causal conclusion needs observational evidence behind it: in the answer, or, on a
    # question that itself presents such evidence (the ones prone to this mistake), in the
    # question.
    # (The conclusion is looked for first: it is the rarer of the two and cheaper to rule out.)
    for pattern, markers in _CAUSAL_PATTERNS:
        # "The AUC shows the ranking works" is an evaluation, not a causal claim.
        found = _asserted_match(
            analysis, pattern, lambda s, m: not _in(analysis, s, _METRIC_RE), conclusion=True, markers=markers
        )
        if found is not None:
            return found if prone or _OBSERVATIONAL_RE.search(analysis.lowered) else None
    return None


def _complexity(analysis: Analysis) -> Sentence | None:
    return _asserted_match(analysis, _COMPLEX_MODEL_RE, lambda s, m: _in(analysis, s, _PROPOSAL_RE))


# Refitting on all the data once the model is chosen is sound practice, not a shortcut.
_AFTER_VALIDATION_RE = re.compile(
    r"\b(?:final model|refit\w*|(?:after|once) (?:\w+ ){0,4}(?:cross-validation|cv|tun\w+|validat\w*|"
    r"choos\w+|chosen|pick\w*|select\w*))\b"
)


# Skipping the checks said outright: "no need to clean anything", "don't bother with EDA".
# The negation is the point, so these are read with _stated_idiom, not _asserted.
_SKIP_CHECKS_RE = re.compile(
    r"\b(?:no need|(?:don't|do not|doesn't|won't|wouldn't) (?:really )?(?:need|have|bother)|never need|"
    r"not worth|no point)(?: to| with| in)? (?:clean\w*|check\w*|explor\w*|look\w* at the data|validat\w*|"
    r"(?:the |any )?eda|inspect\w*|prep\w*|preprocess\w*|impute\w*)\b"
)


def _stated_idiom(analysis: Analysis, pattern: re.Pattern[str], hints: tuple[str, ...]) -> Sentence | None:
    """A sentence where ``pattern`` matches, not hedged and with no negation reaching the
    words before the match (a negation inside it is part of the idiom)."""
    if not any(h in analysis.lowered for h in hints):
        return None
    for s in analysis.sentences_matching(pattern):
        if s.hedged:
            continue
        m = pattern.search(analysis.lowered, s.start, s.end)
        if m and not any(s.tokens[i].start < m.start() for i in s.negated):
            return s
    return None


# Modelling on the data as it came ("we just used the data as it came and trained on it").
_AS_IS_RE = re.compile(
    r"\b(?:data|dataset|table|export|dump|extract|tables|it|them)s? (?:just )?(?:as[- ]is|as (?:it|they) (?:came|comes|"
    r"stands?|arrived))\b"
)
_TRAINING_WORD_RE = re.compile(
    r"\b(?:train\w*|model\w*|fit\w*|feed|fed|xgboost|automl|classifier|regression)\b"
)


def _rushed_data(analysis: Analysis, prone: bool) -> Sentence | None:
    def rushed(s: Sentence, m: re.Match[str]) -> bool:
        return not _in(analysis, s, _AFTER_VALIDATION_RE) and (prone or _in(analysis, s, _HASTE_RE))

    found = _asserted_match(analysis, _RUSH_RE, rushed)
    if found is None and prone:
        found = _asserted_match(analysis, _STRAIGHT_TO_MODEL_RE)
    if found is None and (
        " as is" in analysis.lowered
        or "as-is" in analysis.lowered
        or " as it" in analysis.lowered
        or " as they" in analysis.lowered
    ):
        found = _asserted_match(
            analysis, _AS_IS_RE, lambda s, m: _in(analysis, s, _TRAINING_WORD_RE) and rushed(s, m)
        )
    if found is None:
        found = _stated_idiom(
            analysis, _SKIP_CHECKS_RE, ("no need", "need to", "bother", "worth", "no point")
        )
    return found


# Every match of _AUTO_REPLACE_RE says "overwrite", or names both a schedule/automation and
# a replacing verb: both tested with substrings before the scan.
_AUTOMATION_HINTS = (
    "each ",
    "with no",
    "no human",
    "automat",
    "auto",
    "every ",
    "nightly",
    "daily",
    "weekly",
    "monthly",
    "schedule",
    "straight",
    "directly",
    "without",
    "cron",
)


# Deployment told as the end of the work: "after deployment there's nothing more to do",
# "push it to production and we're done", "the model keeps working on its own".
_DONE_AFTER_DEPLOY_RE = re.compile(
    r"\b(?:nothing (?:more|else) (?:to do|needed)|(?:and )?(?:we're|we are|i'm|you're) done|job (?:is )?done|"
    r"set[- ](?:it[- ])?and[- ]forget|fire[- ]and[- ]forget|(?:keeps?|kept) (?:working|running) (?:on its own|by itself|"
    r"forever)|(?:runs?|look after|takes? care of) (?:on |by )?itself|never (?:needs? to be|has to be|gets?) "
    r"(?:touched|retrained|looked at|checked)|no (?:need|reason) to (?:touch|retrain|check|watch|monitor|revisit)"
    r" (?:it|the model)|(?:can|could) forget about it)\b"
)
_DEPLOYED_WORD_RE = re.compile(
    r"\b(?:deploy\w*|production|live|shipp?\w*|launch\w*|released?|rolled out|trained|model)\b"
)


def _done_after_deploy(analysis: Analysis) -> Sentence | None:
    s = _stated_idiom(
        analysis,
        _DONE_AFTER_DEPLOY_RE,
        ("nothing", "done", "forget", "itself", "its own", "never", "no need", "no reason"),
    )
    return s if s is not None and _in(analysis, s, _DEPLOYED_WORD_RE) else None


def _auto_replace(analysis: Analysis, prone: bool) -> Sentence | None:
    text = analysis.lowered
    if "overwrit" not in text and not any(h in text for h in _AUTOMATION_HINTS):
        return (
            _asserted_match(analysis, _DEPLOY_RE, lambda s, m: _in(analysis, s, _HASTY_DEPLOY_RE))
            if not prone
            else None
        )
    if prone:
        return _asserted_match(analysis, _AUTO_REPLACE_RE)
    return _asserted_match(analysis, _AUTO_REPLACE_RE, lambda s, m: _in(analysis, s, _MODEL_WORD_RE)) or (
        _asserted_match(analysis, _DEPLOY_RE, lambda s, m: _in(analysis, s, _HASTY_DEPLOY_RE))
    )


_POINTS_BACK_RE = re.compile(r"\s*(?:that|this|which|it|these|those|i think that|i think this)\b")


def _judged_success(analysis: Analysis, sentence: Sentence) -> bool:
    """The sentence holding a metric, or the next one ("precision went from 31% to 40%. That
    shows the project was a clear success."), calls it the success."""
    if _in(analysis, sentence, _SUCCESS_RE):
        return True
    if not _has_number(sentence):
        return False
    sentences = analysis.sentences
    k = bisect_right([s.start for s in sentences], sentence.start)
    # Only a next sentence that points back at it ("That was...", "This shows...").
    return (
        k < len(sentences)
        and _POINTS_BACK_RE.match(analysis.lowered, sentences[k].start) is not None
        and _in(analysis, sentences[k], _SUCCESS_RE)
    )


def _code_check(cm: CompiledMistake, analysis: Analysis, prone: bool) -> Sentence | None:
    mid = cm.id
    if mid == "leakage-unchecked":
        return _leakage(analysis)
    if mid == "correlation-as-causation":
        return _causal_reading(analysis, prone)
    if mid == "needless-complexity":
        return _complexity(analysis)
    if mid == "data-quality-ignored":
        return _rushed_data(analysis, prone)
    if mid == "metrics-without-impact":
        if not any(h in analysis.lowered for h in _SUCCESS_HINTS):
            return None
        # "Successful if recall@10 goes up" defines success as the metric: a conditional
        # does not distance it.
        return _asserted_match(
            analysis, _METRIC_RE, lambda s, m: _judged_success(analysis, s), conclusion=True
        )
    if mid == "no-monitoring":
        found = _auto_replace(analysis, prone) or _done_after_deploy(analysis)
        if found is None and prone:
            found = _regex_sentence(analysis, _DEPLOY_RE)
        return found
    return None


def detect(
    analysis: Analysis, compiled: list[CompiledMistake], prone: frozenset[str]
) -> list[MistakeFinding]:
    """Findings for the given mistakes, each with a verbatim quote from the answer."""
    findings: list[MistakeFinding] = []
    for cm in compiled:
        is_prone = cm.id in prone
        if _cleared(cm, analysis):
            continue
        evidence = None
        needs_number = cm.id in NEEDS_A_NUMBER
        if is_prone or cm.id not in PRONE_ONLY:
            for phrase in cm.cues:
                hit = next(
                    (
                        m
                        for m in find_matches(phrase, analysis)
                        if not (m.negated or m.hedged)
                        and (not needs_number or _has_number(m.sentence))
                        and (cm.id != "leakage-unchecked" or _face_value_sentence(analysis, m.sentence))
                    ),
                    None,
                )
                if hit is not None:
                    evidence = hit.quote(analysis)
                    break
        if evidence is None:
            sentence = _code_check(cm, analysis, is_prone)
            if sentence is not None:
                evidence = _quote(analysis, sentence)
        if evidence:
            findings.append(MistakeFinding(id=cm.id, evidence=evidence, note=cm.mistake.title))
    return findings
