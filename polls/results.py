"""Reads about polls: which polls a reader may see, their results, and the most frequent words.

Polls are rows of ``sessions_app``; the pages that show and collect answers live here, on the
charter side of the dependency line.
"""

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch

from sessions_app.models import SessionPart

from .models import Poll, PollAnswer, PollChoice

# Words that say nothing about a free-text answer, in the site's languages (en, de, fr).
_STOP_WORDS = """
a about above after again against all also am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further get
got had has have having he her here hers herself him himself his how i if in into is it its
itself just like me more most my myself no nor not now of off on once only or other our ours
ourselves out over own really same she should so some such than that the their theirs them
themselves then there these they this those through to too under until up us very was we were
what when where which while who whom why will with would you your yours yourself yourselves
lot lots much many one thing things time way even still well
aber als am an auch auf aus bei bin bis da das dass dem den der des die dies diese dieser du
durch ein eine einem einen einer es für hat hatte ich ihr im in ist ja kein mit nach nicht noch
nur oder sehr sich sie sind so um und uns unter vom von vor war was wie wir zu zum zur über
au aux avec ce ces cette dans de des du elle en est et eu il ils je la le les leur lui ma mais
me mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi
ton tu un une vos votre vous été être avoir
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())
WORD = re.compile(r"\w+(?:['’-]\w+)*")


def visible_polls(user, summit):
    """Polls of `summit` whose part the reader may see, in programme order, with their part."""
    parts = SessionPart.objects.visible_to(user).of_summit(summit)
    return (
        Poll.objects.filter(part__in=parts)
        .select_related("part__session__day__summit")
        .annotate(answer_count=Count("answers"))
        .order_by("part__session__day__position", "part__session__number", "part__position", "position", "pk")
    )


def normalise(word):
    return unicodedata.normalize("NFC", word).casefold().replace("’", "'")


def frequent_words(texts, *, limit=20):
    """The `limit` most frequent meaningful words of `texts`, as (word, count), most frequent first;
    ties in alphabetical order so the picture does not change between two reloads."""
    counts = Counter()
    for text in texts:
        # A word counts once per answer: one enthusiastic answer must not outweigh many.
        words = {normalise(w) for w in WORD.findall(text)}
        counts.update(w for w in words if len(w) > 2 and not w.isdigit() and w not in STOP_WORDS)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]


@dataclass
class Bar:
    label: str
    count: int
    share: float  # 0..1 of the largest bar, for drawing
    percent: int = 0  # of all answers, for reading


@dataclass
class PollResults:
    poll: Poll
    answers: list
    bars: list = field(default_factory=list)

    @property
    def total(self):
        return len(self.answers)

    @property
    def chart_height(self):
        return 16 + 28 * len(self.bars)


def _bars(pairs, total):
    top = max((count for _label, count in pairs), default=0) or 1
    return [
        Bar(label=label, count=count, share=count / top, percent=round(100 * count / total) if total else 0)
        for label, count in pairs
    ]


def poll_results(poll):
    """Everything the results page and the CSV show: answers, and bars (word counts for free text,
    votes per choice otherwise). Two queries: answers with their choices, and the choices."""
    answers = list(
        PollAnswer.objects.filter(poll=poll)
        .order_by("created_at", "pk")
        .prefetch_related(Prefetch("choices", queryset=PollChoice.objects.order_by("position", "pk")))
    )
    if poll.kind == Poll.Kind.FREE_TEXT:
        pairs = frequent_words(answer.text for answer in answers)
    else:
        votes = Counter(choice.pk for answer in answers for choice in answer.choices.all())
        pairs = [(choice.label, votes[choice.pk]) for choice in poll.choices.order_by("position", "pk")]
    return PollResults(poll=poll, answers=answers, bars=_bars(pairs, len(answers)))


def results_of_polls(polls):
    """``poll_results`` for several polls at once (the polls of a day page): poll id → results.
    Two queries whatever their number: the answers with their choices, and the choices."""
    polls = list(polls)
    if not polls:
        return {}
    answers: dict = {poll.pk: [] for poll in polls}
    for answer in (
        PollAnswer.objects.filter(poll__in=polls)
        .order_by("created_at", "pk")
        .prefetch_related(Prefetch("choices", queryset=PollChoice.objects.order_by("position", "pk")))
    ):
        answers[answer.poll_id].append(answer)
    choices: dict = {poll.pk: [] for poll in polls}
    for choice in PollChoice.objects.filter(poll__in=polls).order_by("position", "pk"):
        choices[choice.poll_id].append(choice)
    results = {}
    for poll in polls:
        given = answers[poll.pk]
        if poll.kind == Poll.Kind.FREE_TEXT:
            pairs = frequent_words(answer.text for answer in given)
        else:
            votes = Counter(choice.pk for answer in given for choice in answer.choices.all())
            pairs = [(choice.label, votes[choice.pk]) for choice in choices[poll.pk]]
        results[poll.pk] = PollResults(poll=poll, answers=given, bars=_bars(pairs, len(given)))
    return results
