"""Pieces of the disability-policy review: summary, article-by-article proposals with their
justification and reviewers' comments, the consolidated table and the annexes."""

from __future__ import annotations

from seguimiento import model, tree
from seguimiento.blocks import _cell, _p, builds
from seguimiento.blocks_progress import STATUS_COLOURS, ProgressBlocks
from seguimiento.charts import ChartSpec, Series

T = tree.Text
PROPOSAL_STATUSES = ("draft", "under_review", "agreed", "rejected")
PROPOSAL_ROLES = {
    "draft": "at_risk",
    "under_review": "on_track",
    "agreed": "achieved",
    "rejected": "off_track",
}


def _bold(text: str) -> tree.Paragraph:
    return tree.Paragraph((tree.Strong((T(text),)),))


class PolicyBlocks(ProgressBlocks):
    """Builders for the policy review (they can use every progress-report builder too)."""

    # ------------------------------------------------------------ queries (no nodes)

    @property
    def _review(self) -> model.PolicyReview:
        """The policy review data (present: planning refuses the report without it)."""
        if self.data.policy_review is None:
            raise ValueError("this convention has no policy-review.yaml")
        return self.data.policy_review

    def policy(self) -> model.PolicyInfo:
        """The reviewed policy (title, author, version)."""
        return self._review.policy

    def proposals(self) -> list[model.Proposal]:
        """Proposals in the Convention's article order."""
        order = list(self.data.convention.articles())
        return sorted(self._review.proposals, key=lambda p: order.index(p.article))

    def article(self, article_id: str) -> model.ArticleRecord:
        """An article record by id."""
        return self.data.convention.articles()[article_id][1]

    def proposal_status(self, status: str) -> str:
        """The label of a proposal status."""
        return {
            "draft": self._("Draft"),
            "under_review": self._("Under review"),
            "agreed": self._("Agreed"),
            "rejected": self._("Rejected"),
        }[status]

    def policy_title(self) -> str:
        """The reviewed policy's title."""
        return self.text(self._review.policy.title)

    def paragraph_summary(self, paragraph_id: str) -> str:
        """The summary of a concluding-observation paragraph."""
        observations = self.data.convention.mechanism.observations
        for paragraph in observations.paragraphs if observations else []:
            if paragraph.id == paragraph_id:
                return self.text(paragraph.summary)
        return ""

    def observations_document(self) -> str:
        """The symbol of the concluding observations."""
        observations = self.data.convention.mechanism.observations
        return observations.document if observations else ""

    # ------------------------------------------------------------ summary

    @builds
    def proposal_summary(self) -> list[tree.Block]:
        """Counts of proposals by status and by CRPD group, and a status chart."""
        counts = self.fig.proposal_counts
        total = sum(counts.values()) or 1
        rows = [
            (
                _cell(self.proposal_status(s)),
                _cell(
                    f"{counts.get(s, 0)} ({self.fmt.percent(counts.get(s, 0) / total)})",
                    PROPOSAL_ROLES[s],
                ),
            )
            for s in PROPOSAL_STATUSES
        ]
        by_status = tree.Table(
            (_cell(self._("Status")), _cell(self._("Proposals"), "number")),
            tuple(rows),
            self._("Proposals by status"),
            (3, 1),
        )
        parts = {p.id: p for p in self.data.convention.parts}
        group_rows = tuple(
            (_cell(self.text(parts[g].title)), _cell(str(n), "number"))
            for g, n in self.fig.proposal_groups.items()
        )
        by_group = tree.Table(
            (_cell(self._("Group of articles")), _cell(self._("Proposals"), "number")),
            group_rows,
            self._("Proposals by group of articles"),
            (3, 1),
        )
        labels = tuple(self.proposal_status(s) for s in PROPOSAL_STATUSES)
        values = tuple(float(counts.get(s, 0)) for s in PROPOSAL_STATUSES)
        colours = (STATUS_COLOURS[2], STATUS_COLOURS[1], STATUS_COLOURS[0], STATUS_COLOURS[3])
        chart = ChartSpec(
            "hbar",
            labels,
            (Series(self._("Proposals"), values),),
            y_label=self._("Proposals"),
            colours=colours,
        )
        alt = self._("Proposals by status: {figures}.").format(
            figures="; ".join(f"{label}: {int(v)}" for label, v in zip(labels, values))
        )
        return [by_status, by_group, tree.Figure(chart, alt, self._("Proposals by status"))]

    # ------------------------------------------------------------ one proposal

    def _change_blocks(self, change: model.Change) -> list[tree.Block]:
        action = {
            "insert": self._("Insert"),
            "replace": self._("Replace"),
            "delete": self._("Delete"),
        }[change.action]
        out: list[tree.Block] = [
            tree.Paragraph(
                (
                    tree.Strong(
                        (T(self._("Proposed modification ({action}): ").format(action=action)),)
                    ),
                    T(self.text(change.summary)),
                )
            )
        ]
        if change.current_text is not None:
            out.append(
                tree.Paragraph(
                    (
                        tree.Emph((T(self._("Current text") + ": "),)),
                        tree.Deleted((T(self.text(change.current_text)),)),
                    )
                )
            )
        if change.text is not None:
            out.append(
                tree.Paragraph(
                    (
                        tree.Emph((T(self._("Proposed text") + ": "),)),
                        tree.Inserted((T(self.text(change.text)),)),
                    )
                )
            )
        return out

    def _cited_indicators(self, proposal: model.Proposal) -> list[tree.Block]:
        if not proposal.indicators:
            return []
        items = []
        for indicator_id in proposal.indicators:
            ind = next(i for i in self.data.indicators if i.id == indicator_id)
            row = self.fig.row(indicator_id)
            latest = (
                self._("no data")
                if row["latest"] is None
                else (f"{self.fmt.value(row['latest'], ind.unit)} ({row['latest_period']})")
            )
            items.append(
                (
                    tree.Paragraph(
                        (
                            tree.Code(ind.id),
                            T(f" {self.text(ind.name)}: "),
                            T(
                                self._(
                                    "latest value {latest}; target {target} ({period}); {status}."
                                ).format(
                                    latest=latest,
                                    target=self.fmt.value(ind.target.value, ind.unit),
                                    period=ind.target.period,
                                    status=self.status_label(row["status"]).lower(),
                                )
                            ),
                        )
                    ),
                )
            )
        return [_bold(self._("Indicators cited")), tree.BulletList(tuple(items))]

    @builds
    def proposal(self, article_id: str) -> list[tree.Block]:
        """Everything about the proposal on one article."""
        proposal = next(p for p in self._review.proposals if p.article == article_id)
        index = self._review.proposals.index(proposal)
        where = f"proposals[{index}]."
        out: list[tree.Block] = []
        if proposal.status == "draft":
            out.append(
                tree.Note(
                    "draft", (_p(self._("Draft proposal: not yet discussed by the committee.")),)
                )
            )
        out.append(
            tree.Paragraph(
                (
                    tree.Strong((T(self._("Status") + ": "),)),
                    T(self.proposal_status(proposal.status)),
                )
            )
        )
        out.append(_bold(self._("What the current policy provides")))
        out.extend(self.md(proposal.current_policy, where + "current_policy"))
        out.append(_bold(self._("Gap found")))
        out.extend(self.md(proposal.gap, where + "gap"))
        comments = tuple((c.author, c.date.isoformat(), c.text) for c in proposal.comments)
        change = self._change_blocks(proposal.change)
        if comments:
            out.append(tree.ReviewComment(tuple(change), comments, f"proposal-{article_id}"))
        else:
            out.extend(change)
        out.append(_bold(self._("Justification")))
        out.extend(self.md(proposal.justification, where + "justification"))
        if proposal.observations:
            document = self.observations_document()
            items = tuple(
                (
                    tree.Paragraph(
                        (
                            tree.Strong(
                                (
                                    T(
                                        self._("{document}, para. {paragraph}").format(
                                            document=document, paragraph=pid
                                        )
                                    ),
                                )
                            ),
                            T(f": {self.paragraph_summary(pid)}"),
                        )
                    ),
                )
                for pid in proposal.observations
            )
            out.append(_bold(self._("Concluding observations cited")))
            out.append(tree.BulletList(items))
        out.extend(self._cited_indicators(proposal))
        names = ", ".join(
            f"{self.data.institution_name(i, self.lang)} ({i})" for i in proposal.institutions
        )
        out.append(
            tree.Paragraph((tree.Strong((T(self._("Institutions concerned") + ": "),)), T(names)))
        )
        out.append(
            tree.Paragraph(
                (
                    tree.Strong((T(self._("Lead institution") + ": "),)),
                    T(self.data.institution_name(proposal.lead, self.lang)),
                )
            )
        )
        return out

    # ------------------------------------------------------------ tables and annexes

    @builds
    def proposals_table(self) -> list[tree.Block]:
        """The consolidated table of all proposals."""
        rows = tuple(
            (
                _cell(f"{p.article}. {self.text(self.article(p.article).title)}"),
                _cell(self.text(p.change.summary)),
                _cell(self.proposal_status(p.status), PROPOSAL_ROLES[p.status]),
                _cell(p.lead),
            )
            for p in self.proposals()
        )
        header = tuple(
            _cell(h)
            for h in (self._("Article"), self._("Proposal"), self._("Status"), self._("Lead"))
        )
        return [tree.Table(header, rows, self._("Consolidated proposals"), (22, 50, 14, 10))]

    @builds
    def observations_table(self) -> list[tree.Block]:
        """The concluding observations cited and the proposals that address them."""
        cited: dict[str, list[str]] = {}
        for proposal in self.proposals():
            for pid in proposal.observations:
                cited.setdefault(pid, []).append(proposal.article)
        rows = tuple(
            (
                _cell(pid),
                _cell(self.paragraph_summary(pid)),
                _cell(", ".join(self._("art. {article}").format(article=a) for a in articles)),
            )
            for pid, articles in sorted(
                cited.items(), key=lambda item: int(item[0]) if item[0].isdigit() else 0
            )
        )
        header = tuple(
            _cell(h) for h in (self._("Paragraph"), self._("Observation"), self._("Addressed in"))
        )
        caption = self._("Concluding observations cited ({document})").format(
            document=self.observations_document()
        )
        return [tree.Table(header, rows, caption, (10, 70, 20))]

    @builds
    def unreviewed_articles(self) -> list[tree.Block]:
        """Articles of the rights and implementation groups without a proposal yet."""
        reviewed = {p.article for p in self._review.proposals}
        items = tuple(
            (_p(self.article_label(a)),)
            for part in self.data.convention.parts
            if part.id != "final"
            for a in part.articles
            if a.id not in reviewed
        )
        return [tree.BulletList(items)] if items else [_p(self._("None."))]
