"""Personal data (emails, phones, names, addresses, IBANs, cards, IPs, national ids): faked.

A ``pii`` column is neither learned nor copied. Detection
(:mod:`synthgen_core.metadata.pii`) names its ``pii_type``; learning keeps only how its
values look (:mod:`.pii_make`) and 64-bit hashes of its values in a normalised form (lower
case, letters and digits only); decoding draws fake values of that type in that look and
draws again any whose hash is a training value's, so no real value reaches the output
(a value still equal after :data:`REDRAWS` rounds becomes missing). An email column in a
table with a ``person_name`` column is written from each row's generated name
(``mary.jones@...``), so the two agree.

Users keep a column's real values by setting its kind to ``categorical``, or mark any column
with ``update_column(name, kind="pii", pii_type="email")``. Conditions on pii columns are
refused: their values are drawn apart from the other columns.
"""

from __future__ import annotations

from collections.abc import Callable

import msgspec
import numpy as np
import numpy.typing as npt
import pandas as pd
from pandas.api import types as ptypes

from synthgen_core.errors import DataError
from synthgen_core.kinds.base import DiscreteColumn, UploadNote
from synthgen_core.kinds.families import GeneratedKind
from synthgen_core.kinds.pii_make import draw, emails, learn_look
from synthgen_core.metadata.kinds import ColumnKind, ColumnSpec, PiiModel, PiiType
from synthgen_core.metadata.metadata import Metadata
from synthgen_core.metadata.missing import missing_mask
from synthgen_core.metadata.pii import detect_pii, pii_keys
from synthgen_core.transform.missing import draw_missing, fill_missing, restore_dtype

ObjectArray = npt.NDArray[np.object_]
IntArray = npt.NDArray[np.int64]
#: Rounds of redrawing generated values equal to a training value.
REDRAWS = 20
_NEVER_DETECTED = frozenset({ColumnKind.CONSTANT, ColumnKind.BOOLEAN, ColumnKind.DATETIME})


class PiiKind(GeneratedKind):
    kind = ColumnKind.PII
    refusal = (
        "its values are fake, drawn apart from the other columns; drop this condition, or "
        "set its kind to 'categorical' to learn its real values"
    )
    upload_note: UploadNote | None = UploadNote(
        issue="pii",
        message="holds personal data; its values are replaced by fake ones of the same "
        "type and format, never copied (set its kind to 'categorical' to keep them)",
        unusable=False,
    )

    def refines(self, base: ColumnKind, name: str, present: pd.Series) -> bool:
        return base not in _NEVER_DETECTED and detect_pii(name, present) is not None

    def learn(self, spec: ColumnSpec, present: pd.Series) -> ColumnSpec:
        if spec.pii is not None:
            return spec
        pii_type = spec.pii_type or detect_pii(spec.name, present)
        if pii_type is None:
            raise DataError(
                f"column {spec.name!r} has kind 'pii' but no pii_type, and its values match "
                "none; set pii_type to one of email, phone, person_name, street_address, "
                "iban, credit_card, ip_address, national_id"
            )
        if ptypes.infer_dtype(present, skipna=True) not in ("string", "empty"):
            present = present.astype(str)
        look = learn_look(pii_type, present)
        refused = np.unique(value_hashes(present)).tolist()
        model = msgspec.structs.replace(look, refused=refused)
        return msgspec.structs.replace(spec, pii_type=pii_type, pii=model)

    def decode(
        self,
        spec: ColumnSpec,
        values: np.ndarray | None,
        n_rows: int,
        rng: np.random.Generator,
        info: DiscreteColumn | None,
    ) -> pd.Series:
        """Fake values, none equal to a training value, missing at the column's rate."""
        pii_type, model = _learned(spec)
        cells = unseen(
            model,
            draw(pii_type, model, n_rows, rng),
            lambda rows: draw(pii_type, model, len(rows), rng),
        )
        mask = draw_missing(n_rows, spec.missing_rate, rng)
        return restore_dtype(fill_missing(cells, mask, spec, rng), spec.dtype)

    def relate(
        self, spec: ColumnSpec, frame: pd.DataFrame, metadata: Metadata, rng: np.random.Generator
    ) -> pd.Series | None:
        """An email column rewritten from the row's generated name, where the table has one."""
        names = [
            s.name for s in metadata.columns if s.kind == self.kind and s.pii_type == "person_name"
        ]
        if spec.pii_type != "email" or not names:
            return None
        _, model = _learned(spec)
        name = frame[names[0]]
        first, last = _name_parts(name)
        styles = np.asarray(model.styles or ["."], dtype=object)
        weights = np.asarray(model.style_weights or [1.0], dtype=np.float64)
        style = styles[rng.choice(len(styles), size=len(frame), p=weights / weights.sum())]

        def with_digits(rows: IntArray) -> ObjectArray:
            digits = (style[rows].astype(str).astype(object) + "#").astype(object)
            return emails(model, digits, first[rows], last[rows], rng)

        written = unseen(model, emails(model, style, first, last, rng), with_digits)
        keep = np.asarray(missing_mask(frame[spec.name])) | np.asarray(missing_mask(name))
        out = np.where(keep, frame[spec.name].to_numpy(dtype=object), written)
        return restore_dtype(np.asarray(out, dtype=object), spec.dtype)


def _learned(spec: ColumnSpec) -> tuple[PiiType, PiiModel]:
    if spec.pii_type is None or spec.pii is None:
        raise DataError(f"pii column {spec.name!r} is not learned yet; fit a model first")
    return spec.pii_type, spec.pii


def unseen(
    model: PiiModel, values: ObjectArray, redraw: Callable[[IntArray], ObjectArray]
) -> ObjectArray:
    """``values`` with every one equal to a training value redrawn (``redraw(rows)``).

    Only the redrawn rows are hashed again, so a round costs what it redraws.
    """
    refused = np.asarray(model.refused, dtype=np.int64)
    out = values.copy()
    bad = np.flatnonzero(np.isin(value_hashes(pd.Series(out, dtype=object)), refused))
    for _ in range(REDRAWS):
        if not bad.size:
            return out
        out[bad] = redraw(bad)
        again = np.isin(value_hashes(pd.Series(out[bad], dtype=object)), refused)
        bad = bad[again]
    out[bad] = None
    return out


def value_hashes(values: pd.Series) -> IntArray:
    """Stable 64-bit hashes of the values' normalised keys (see :func:`pii_keys`)."""
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64)
    keys = pii_keys(values).to_numpy(dtype=object)
    hashed: IntArray = pd.util.hash_array(keys).view(np.int64)
    return hashed


def _name_parts(names: pd.Series) -> tuple[ObjectArray, ObjectArray]:
    """First and last name of ``"First [Middle] Last"`` or ``"Last, First"`` values."""
    text = names.astype(str)
    comma = text.str.contains(",", regex=False)
    first = text.str.extract(r"^(\S+)", expand=False).where(
        ~comma, text.str.extract(r",\s*(\S+)", expand=False)
    )
    last = text.str.extract(r"(\S+)$", expand=False).where(
        ~comma, text.str.extract(r"^([^,]+),", expand=False)
    )
    single = text.str.count(r"\s+") == 0
    last = last.where(~single, "")
    return first.fillna("").to_numpy(dtype=object), last.fillna("").to_numpy(dtype=object)


PII = PiiKind()
