"""Scenario 6: the knowledge base's search (`searchArticles`) and suggestions while a ticket is
written (`suggestArticles`), as customers of the largest organization and of small ones.

The articles are loaded first (`Dataset.load_articles`: the scale's published articles in the
organizations' Zipf-like shares, the largest holding about a fifth, with drafts, archived and
internal ones besides; a third of the organizations, the largest among them, in English). The
queries are drawn from the same word lists, as customers type them: one word, two or three, a
question in full words, and misspelled words that full-text search cannot find (so the trigram
fallback answers); suggestions get a subject, half of them with a description. Each scenario
rotates over its queries and over a few customers, the same sequence on every arm: the bff path
(when the running BFF has the actions), the sql path, and the sql path as service_role (RLS
bypassed wherever the functions rely on it), which shows what RLS costs.
"""

from __future__ import annotations

import random

import httpx

from bench._articles_sql import DOMAIN_WORDS, FUNCTION_WORDS
from bench._config import Scale
from bench._context import LARGE_ORG_RANK, Context
from bench._goals import KNOWLEDGE_BASE_ACTIONS, KNOWLEDGE_BASE_SCENARIOS, SERVICE_ROLE_SUFFIX
from bench._paths import AccessPath, Call, User
from bench._results import Row
from bench._runner import Arm, Operation, Plan, run_interleaved

# Small organizations, by size rank: at full scale 53 to 10 published articles each.
SMALL_ORG_RANKS = tuple(range(200, 1000, 100))
QUERIES = 40
"""Distinct queries per scenario, rotated."""
CUSTOMERS = 8
SEARCH_LIMIT = 10
# What kind of search each query is, in turn: 3 in 10 one word, 3 two or three words, 2 a
# question, 2 misspelled.
_SEARCH_KINDS = ("word", "words", "typo", "question", "word", "words", "words", "typo",
                 "question", "word")  # fmt: skip
_SUBJECT_OPENINGS = ("Cannot", "Problem with the", "Error when I", "Question about the",
                     "Help with my", "How do I", "Refund for", "Where is my")  # fmt: skip
_QUESTIONS = ("how do I {} my {}", "why is my {} not working", "can't {} the {}",
              "where do I find the {} {}")  # fmt: skip
_VOCABULARY = frozenset(DOMAIN_WORDS) | frozenset(FUNCTION_WORDS)


def _domain_word(rng: random.Random) -> str:
    """Return a word articles are about, as often as their titles name it (sometimes plural)."""
    word = DOMAIN_WORDS[int(len(DOMAIN_WORDS) * rng.random() ** 1.8)]
    return word + "s" if rng.random() < 0.15 else word


def _typo(rng: random.Random) -> str:
    """Return a word of 7 letters or more with one letter dropped, doubled or swapped (never the
    first or the last) that is not in the word lists, so full-text search usually finds nothing."""
    while True:
        word = _domain_word(rng).removesuffix("s")
        if len(word) < 7:
            continue
        i = rng.randrange(1, len(word) - 2)
        typo = rng.choice((
            word[:i] + word[i + 1 :],
            word[:i] + word[i] + word[i:],
            word[:i] + word[i + 1] + word[i] + word[i + 2 :],
        ))  # fmt: skip
        if typo not in _VOCABULARY and typo.removesuffix("s") not in _VOCABULARY:
            return typo


def search_texts(rng: random.Random, count: int) -> list[str]:
    """Return `count` texts typed into the help centre's search box."""
    texts = []
    for i in range(count):
        kind = _SEARCH_KINDS[i % len(_SEARCH_KINDS)]
        if kind == "word":
            texts.append(_domain_word(rng))
        elif kind == "words":
            texts.append(" ".join(_domain_word(rng) for _ in range(rng.choice((2, 2, 3)))))
        elif kind == "question":
            question = rng.choice(_QUESTIONS)
            texts.append(question.format(*(_domain_word(rng) for _ in range(question.count("{}")))))
        else:
            texts.append(" ".join(_typo(rng) for _ in range(rng.choice((1, 1, 2)))))
    return texts


def suggestion_texts(rng: random.Random, count: int) -> list[tuple[str, str | None]]:
    """Return `count` (subject, description) pairs of tickets being written: a subject naming one
    to three things (1 in 10 misspelled), half of them with a description of 12 to 40 words."""
    texts: list[tuple[str, str | None]] = []
    for i in range(count):
        topics = [_domain_word(rng) for _ in range(rng.choice((1, 2, 2, 3)))]
        if i % 10 == 9:
            topics[-1] = _typo(rng)
        subject = f"{rng.choice(_SUBJECT_OPENINGS)} {' '.join(topics)}"
        description = None
        if i % 2:
            words = [
                rng.choice(topics) if r < 0.15 else _domain_word(rng) if r < 0.4
                else rng.choice(FUNCTION_WORDS)
                for r in (rng.random() for _ in range(rng.randrange(12, 41)))
            ]  # fmt: skip
            description = f"Hello, {' '.join(words)}. Thanks!"
        texts.append((subject, description))
    return texts


def search_call(org_id: str, text: str) -> Call:
    """Return the call the help centre's search box makes."""
    params = {"org_id": org_id, "q": text, "limit": SEARCH_LIMIT}
    return Call("search_articles", params, "searchArticles", params)


def suggest_call(org_id: str, subject: str, description: str | None) -> Call:
    """Return the call the new-ticket form makes while the customer writes."""
    params = {"org_id": org_id, "subject": subject}
    if description is not None:
        params["description"] = description
    return Call("suggest_articles", params, "suggestArticles", params)


def scenario_calls(ctx: Context, seed: int = 15) -> dict[str, list[Call]]:
    """Return each scenario's calls: the large organization's, and the small ones' in turn."""
    rng = random.Random(seed)  # noqa: S311  # the same queries every run, not secrets
    searches = search_texts(rng, QUERIES)
    suggestions = suggestion_texts(rng, QUERIES)
    large = [ctx.dataset.organization(LARGE_ORG_RANK)]
    small = [ctx.dataset.organization(rank) for rank in SMALL_ORG_RANKS]
    calls: dict[str, list[Call]] = {}
    for scenario in KNOWLEDGE_BASE_SCENARIOS:
        orgs = large if scenario.endswith("_large_org") else small
        calls[scenario] = [
            search_call(orgs[i % len(orgs)], searches[i])
            if scenario.startswith("search_")
            else suggest_call(orgs[i % len(orgs)], *suggestions[i])
            for i in range(QUERIES)
        ]
    return calls


def bff_has_actions(bff_url: str) -> bool:
    """Whether the running BFF serves searchArticles and suggestArticles (its OpenAPI says)."""
    document = httpx.get(f"{bff_url}/openapi.json", timeout=10.0).raise_for_status().json()
    return all(f"/actions/{action}" in document["paths"] for action in KNOWLEDGE_BASE_ACTIONS)


def _rotating(path: AccessPath, calls: list[Call], customers: list[User]) -> Operation:
    def operation(client: int, seq: int) -> None:
        path.run(calls[seq % len(calls)], customers[seq % len(customers)], client)

    return operation


def run_knowledge_base(ctx: Context, scale: Scale, tickets: int) -> tuple[list[Row], bool]:
    """Measure each scenario on its paths, one client, interleaved (the articles are loaded).

    Returns the rows, and whether the BFF had the actions (its rows are missing otherwise).
    """
    with_bff = bff_has_actions(ctx.stack.bff_url)
    paths: list[AccessPath] = [ctx.bff, ctx.paths[-1]] if with_bff else [ctx.paths[-1]]
    customers = [ctx.customer(index + 1) for index in range(CUSTOMERS)]
    plan = Plan(1, scale.article_requests, scale.batch, scale.scenario_cap_s)
    rows: list[Row] = []
    for scenario, calls in scenario_calls(ctx).items():
        arms = [Arm(scenario, path.name, _rotating(path, calls, customers)) for path in paths]
        arms.append(
            Arm(scenario + SERVICE_ROLE_SUFFIX, "sql",
                _rotating(ctx.service_role_sql, calls, customers))
        )  # fmt: skip
        run_interleaved(arms, plan)
        rows += [Row.from_arm(arm, clients=1, tickets=tickets) for arm in arms]
    return rows, with_bff
