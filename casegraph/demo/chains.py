"""Ground-truth records of the hidden ownership chains (person -> shells -> company)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from casegraph.demo.truth import Truth
from casegraph.demo.world import World


def chain_records(world: World, truth: Truth) -> Iterator[dict[str, Any]]:
    """One record per (structure, operating company), entity ids at every step."""
    w = world

    def node(kind: str, idx: int) -> dict[str, Any]:
        if kind == "p":
            p = w.persons[idx]
            return {"ref": p.ref, "schema": "Person", "name": p.name.canonical(),
                    "entities": truth.entities(p.ref)}  # fmt: skip
        c = w.companies[idx]
        return {"ref": c.ref, "schema": "Company", "name": c.name(), "jurisdiction": c.jur,
                "entities": truth.entities(c.ref)}  # fmt: skip

    def evidence(*keys: tuple[int, str, int]) -> list[dict[str, str]]:
        out = []
        for key in keys:
            found = truth.links.get(key)
            if found is not None:
                out.append({"dataset": found[0], "entity_id": found[1]})
        return out

    for s in w.structures:
        top = s.shells[0]
        bo_link = {
            "owner": w.persons[s.bo].ref,
            "asset": w.companies[top].ref,
            "percentage": 100.0,
            "evidence": evidence((top, "p", s.bo), (top, "leak", s.bo)),
        }
        shell_links = [
            {
                "owner": w.companies[upper].ref,
                "asset": w.companies[lower].ref,
                "percentage": pct,
                "evidence": evidence((lower, "c", upper)),
            }
            for upper, lower, pct in zip(s.shells[:-1], s.shells[1:], s.link_pcts, strict=True)
        ]
        registered = [o for o in w.companies[top].owners if o[0] == "c"]
        for k, (target, pct) in enumerate(zip(s.targets, s.target_pcts, strict=True)):
            bottom = s.shells[-1]
            links = [bo_link, *shell_links, {
                "owner": w.companies[bottom].ref,
                "asset": w.companies[target].ref,
                "percentage": pct,
                "evidence": evidence((target, "c", bottom)),
            }]  # fmt: skip
            effective = pct / 100.0
            for link_pct in s.link_pcts:
                effective *= link_pct / 100.0
            record: dict[str, Any] = {
                "id": f"chain-{s.idx:06d}-{k}",
                "hidden": s.mode != "visible",
                "registry_shows": s.mode,
                "revealed_in": ["leak_people"] if s.revealed_in_leak else [],
                "beneficial_owner_sanctioned": s.sanctioned,
                "effective_percentage": round(effective * 100.0, 4),
                "path": [node("p", s.bo), *(node("c", i) for i in s.shells), node("c", target)],
                "links": links,
            }
            if registered:
                nominee = w.companies[registered[0][1]]
                record["registered_shareholder"] = {
                    **node("c", nominee.idx),
                    "evidence": evidence((top, "c", nominee.idx)),
                }
            yield record
