"""The next-best-offer model: what similar customers hold, learnt from the customers' holdings and
their profile, evaluated on held-back acquisitions, and applied to one customer. Pure NumPy and
scikit-learn; `storage` reads the inputs, the services store the result.

Items are our products held and not ended (业务档案) — the targets and the candidates — and the
categories of competitors' products held. Customer features: organisation or individual, value
tier (the ARPU floors of customers.value), log ARPU, log tenure and log spend of the last twelve
months from the transaction ledger (orders and bills), standardised.

Three scorers are fitted and measured on the same hold-out (the latest acquisition of each
customer who took two or more products is hidden from training, fold by fold, see `evaluate`),
and the one with the best hit@1 + hit@3 becomes the model (`best_algorithm`):
- **propensity**: one scikit-learn logistic regression per candidate product on items and customer
  features — the only scorer that uses the profile (a VIP organisation with a private line is
  not an individual with a 4G plan). Its reason names the held item that adds most to the score,
  and the share is the model's probability: the estimated share of customers like this one who
  hold the product.
- **rules**: association rules with one antecedent (持有 A → 持有 B), support and confidence
  counted over all customers with one sparse matrix product. The reason is the rule with the
  highest confidence, and the share its confidence. mlxtend's apriori/fpgrowth would also find
  longer antecedents, but installing it brings matplotlib and Pillow into the web application
  (pip's dry run), and one-antecedent rules are what the reason can say in one sentence.
- **popularity** (the baseline): the products most customers hold.
Measured (hit@1 / hit@3 on held-back latest acquisitions):
- bench, 1,000,000 customers with bundle-shaped holdings (`guanxi bench offers`, 20,000 evaluated):
  propensity 40.5% / 85.4%, rules 32.6% / 79.4%, popularity 12.0% / 62.2%: the profile (organisation
  or individual, tier, spend) and several held items at once beat the best single rule.
- demo, 300 customers (`guanxi demo --customers 300 --seed 3`, the offers test of it): propensity
  38.9% / 61.6%, rules 40.9% / 61.1%, popularity 27.1% / 64.0%: on few customers the rules edge
  ahead on hit@1. Hence the choice is made per training, by measurement, not once in the code.

The evaluation's features (tier, ARPU, spend) are today's, including the held-back product's fee:
a small leak that flatters every scorer that reads them, the baseline not at all.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass

import numpy as np
import pandas as pd

ALGORITHMS = ("propensity", "rules", "popularity")
MIN_HOLDERS = 3  # a product held by fewer customers is not offered
MIN_RULE_CUSTOMERS = 5  # a rule needs this many customers holding its antecedent
FIT_MAX = 50_000  # customers sampled to fit the regressions (28 coefficients each: plenty)
FOLDS = 5  # the customers with a latest acquisition are evaluated in this many folds
EVAL_MAX = 20_000  # past this many, one sampled fold
NUMERIC = ("is_org", "tier_vip", "tier_large", "tier_medium", "log_arpu", "log_tenure", "log_spend")


@dataclass(frozen=True)
class Inputs:
    """customers: customer_id, is_org, arpu, tenure_days, spend_12m (one row each).
    holdings: customer_id, product, category, is_competitor, started_on, holding_id (not ended)."""

    customers: pd.DataFrame
    holdings: pd.DataFrame
    tier_floors: tuple[float, float, float]  # VIP, large, medium


@dataclass
class Model:
    algorithm: str
    products: np.ndarray  # candidate product names (P)
    items: np.ndarray  # item labels: the products, then competitors' categories (P + C)
    means: np.ndarray  # of the three log features
    stds: np.ndarray
    tier_floors: np.ndarray
    coef: np.ndarray  # P × F (propensity)
    intercept: np.ndarray  # P
    confidence: np.ndarray  # (P + C) × P (rules)
    antecedents: np.ndarray  # customers holding each item (P + C)
    base: np.ndarray  # share of customers holding each product (P)

    @property
    def n_products(self) -> int:
        return len(self.products)

    @functools.cached_property
    def item_index(self) -> dict[str, int]:
        """Our products by name, then competitors' categories prefixed with "competitor:"."""
        labels = [str(p) for p in self.products]
        labels += [f"competitor:{c}" for c in self.items[len(self.products):]]
        return {label: i for i, label in enumerate(labels)}

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        np.savez_compressed(buffer, algorithm=np.array(self.algorithm), **{
            name: getattr(self, name) for name in ("products", "items", "means", "stds", "tier_floors", "coef",
                                                   "intercept", "confidence", "antecedents", "base")})
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> Model:
        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            fields = {name: archive[name] for name in archive.files}
        fields["algorithm"] = str(fields["algorithm"])
        return cls(**fields)


@dataclass(frozen=True)
class Suggestion:
    product: str
    score: float
    share: float  # the share of similar customers who hold it (probability or confidence)
    because: str = ""  # the held item that suggests it ("" when none does)
    because_competitor: bool = False
    similar: int = 0  # customers holding `because` (rules), 0 otherwise
    of_all: bool = False  # the share is of all customers (popularity), not of similar ones


@dataclass
class Matrices:
    products: np.ndarray
    competitor_items: np.ndarray
    own: np.ndarray  # n × P bool
    competitor: np.ndarray  # n × C bool
    numeric: np.ndarray  # n × 7 float32, raw logs in the last three columns
    held_out: np.ndarray  # n: product index of the latest acquisition, -1 where none is held back

    def features(self, own: np.ndarray | None = None, means=None, stds=None) -> np.ndarray:
        numeric = self.numeric.copy()
        numeric[:, 4:] = (numeric[:, 4:] - means) / stds
        return np.hstack([(self.own if own is None else own), self.competitor, numeric]).astype(np.float32)


# ---------------------------------------------------------------- features


def _tiers(arpu: np.ndarray, floors) -> np.ndarray:
    vip, large, medium = floors
    return np.column_stack([arpu >= vip, (arpu >= large) & (arpu < vip), (arpu >= medium) & (arpu < large)])


def _numeric(is_org, arpu, tenure_days, spend, floors) -> np.ndarray:
    arpu = np.asarray(arpu, dtype=float)
    return np.column_stack([
        np.asarray(is_org, dtype=float), _tiers(arpu, floors),
        np.log1p(np.clip(arpu, 0, None)), np.log1p(np.clip(np.asarray(tenure_days, dtype=float), 0, None)),
        np.log1p(np.clip(np.asarray(spend, dtype=float), 0, None)),
    ]).astype(np.float32)


def build_matrices(inputs: Inputs) -> Matrices:
    """Item and feature matrices of every customer, and each customer's latest acquisition among
    customers who hold two or more of our products with a start date."""
    customers, holdings = inputs.customers, inputs.holdings
    index = pd.Index(customers["customer_id"].to_numpy())
    rows = index.get_indexer(holdings["customer_id"].to_numpy())
    holdings = holdings.assign(row=rows)[rows >= 0]
    is_competitor = holdings["is_competitor"].astype(bool).to_numpy()
    ours, theirs = holdings[~is_competitor], holdings[is_competitor]

    holders = ours.groupby("product")["row"].nunique()
    holders = holders[holders >= MIN_HOLDERS].sort_values(ascending=False, kind="stable")
    products = np.array(sorted(holders.index, key=lambda p: (-holders[p], p)), dtype=str)
    competitor_items = np.array(sorted(set(_competitor_item(theirs))), dtype=str)

    n = len(customers)
    own = np.zeros((n, len(products)), dtype=bool)
    product_at = pd.Index(products).get_indexer(ours["product"].to_numpy())
    known = product_at >= 0
    own[ours["row"].to_numpy()[known], product_at[known]] = True
    competitor = np.zeros((n, len(competitor_items)), dtype=bool)
    if len(theirs):
        at = pd.Index(competitor_items).get_indexer(_competitor_item(theirs))
        competitor[theirs["row"].to_numpy(), at] = True

    numeric = _numeric(customers["is_org"].to_numpy(), customers["arpu"].to_numpy(),
                       customers["tenure_days"].to_numpy(), customers["spend_12m"].to_numpy(), inputs.tier_floors)
    held_out = _latest_acquisitions(ours.assign(product_at=product_at)[known], n)
    return Matrices(products, competitor_items, own, competitor, numeric, held_out)


def _competitor_item(frame: pd.DataFrame) -> np.ndarray:
    category = frame["category"].fillna("").astype(str).to_numpy()
    return np.where(category != "", category, frame["product"].astype(str).to_numpy()).astype(str)


def _latest_acquisitions(ours: pd.DataFrame, n: int) -> np.ndarray:
    """Per customer holding two or more candidate products (one with a start date): the index of
    the product started last (the highest holding id on a tie); -1 elsewhere."""
    held_out = np.full(n, -1, dtype=np.int64)
    dated = ours[ours["started_on"].notna()]
    if dated.empty:
        return held_out
    counts = ours.groupby("row")["product_at"].nunique()
    several = counts[counts >= 2].index
    dated = dated[dated["row"].isin(several)]
    # ISO dates sort as text: no parsing of millions of them.
    dated = dated.assign(started=dated["started_on"].astype(str).str.slice(0, 10))
    latest = dated.sort_values(["row", "started", "holding_id"]).drop_duplicates("row", keep="last")
    held_out[latest["row"].to_numpy()] = latest["product_at"].to_numpy()
    return held_out


# ---------------------------------------------------------------- fitting


def _scaling(numeric: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    logs = numeric[:, 4:].astype(float)
    means = logs.mean(axis=0) if len(logs) else np.zeros(3)
    stds = logs.std(axis=0) if len(logs) else np.ones(3)
    return means, np.where(stds > 0, stds, 1.0)


def fit(matrices: Matrices, own: np.ndarray, algorithms, *, seed: int, tier_floors) -> tuple[Model, int]:
    """The scorers named in `algorithms` fitted on `own` (the item matrix, perhaps with the
    held-back acquisitions removed); the Model carries all of them, `algorithm` the first.
    Returns the model and the number of customers the regressions were fitted on."""
    means, stds = _scaling(matrices.numeric)
    n, n_products = own.shape
    items = np.hstack([own, matrices.competitor]).astype(np.float32)
    base = own.mean(axis=0) if n else np.zeros(n_products)
    antecedents = items.sum(axis=0)
    confidence = np.zeros((items.shape[1], n_products))
    if "rules" in algorithms and n:
        together = items.T @ own.astype(np.float32)  # customers holding item a and product j
        with np.errstate(divide="ignore", invalid="ignore"):
            confidence = np.where(antecedents[:, None] >= MIN_RULE_CUSTOMERS, together / antecedents[:, None], 0.0)
        confidence[np.arange(n_products), np.arange(n_products)] = 0.0
    features = n_products + len(matrices.competitor_items) + len(NUMERIC)
    coef, intercept = np.zeros((n_products, features)), _logit(base)
    sample = 0
    if "propensity" in algorithms and n:
        coef, intercept, sample = _fit_regressions(matrices.features(own, means, stds), own, seed=seed)
    model = Model(algorithm=algorithms[0], products=matrices.products,
                  items=np.concatenate([matrices.products, matrices.competitor_items]).astype(str),
                  means=np.asarray(means, dtype=float), stds=np.asarray(stds, dtype=float),
                  tier_floors=np.asarray(tier_floors, dtype=float), coef=coef, intercept=intercept,
                  confidence=confidence, antecedents=antecedents, base=base)
    return model, sample


def _logit(share: np.ndarray) -> np.ndarray:
    share = np.clip(np.asarray(share, dtype=float), 1e-6, 1 - 1e-6)
    return np.log(share / (1 - share))


def _fit_regressions(x: np.ndarray, own: np.ndarray, *, seed: int):
    """One logistic regression per product on a seeded sample of up to FIT_MAX customers; the
    product's own column is left out of its regression (it would predict itself)."""
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice(len(x), size=FIT_MAX, replace=False)) if len(x) > FIT_MAX else np.arange(len(x))
    x, own = x[rows], own[rows]
    coef = np.zeros((own.shape[1], x.shape[1]))
    intercept = _logit(own.mean(axis=0))
    for j in range(own.shape[1]):
        y = own[:, j]
        if y.all() or not y.any():
            continue
        column = x[:, j].copy()
        x[:, j] = 0.0
        regression = LogisticRegression(C=1.0, max_iter=300).fit(x, y)
        x[:, j] = column
        coef[j], intercept[j] = regression.coef_[0], regression.intercept_[0]
        coef[j, j] = 0.0
    return coef, intercept, len(rows)


# ---------------------------------------------------------------- scoring


def scores(model: Model, algorithm: str, x: np.ndarray) -> np.ndarray:
    """Scores (rows × products) of feature rows `x` under one scorer; held products are not masked."""
    n_items = len(model.items)
    if algorithm == "propensity":
        return 1.0 / (1.0 + np.exp(-(x @ model.coef.T + model.intercept)))
    if algorithm == "rules":
        held = x[:, :n_items] > 0
        best = np.zeros((len(x), model.n_products))
        for a in range(n_items):  # max over the held antecedents, one item at a time (bounded memory)
            rows = held[:, a]
            if rows.any():
                best[rows] = np.maximum(best[rows], model.confidence[a])
        # Customers no rule speaks for fall back to popularity, below every rule's confidence.
        fallback = (best.max(axis=1) == 0)[:, None]
        return np.where(fallback, model.base * 1e-3, best)
    return np.broadcast_to(model.base, (len(x), model.n_products)).copy()


def _top(score: np.ndarray, held: np.ndarray, k: int) -> np.ndarray:
    score = np.where(held, -np.inf, score)
    return np.argsort(-score, axis=1, kind="stable")[:, :k]


def holdout_folds(matrices: Matrices, *, seed: int) -> list[np.ndarray]:
    """The customers evaluated, in folds: every customer with a latest acquisition, in FOLDS seeded
    folds (each fold's acquisitions are hidden while the others' stay learnable); past EVAL_MAX
    such customers, one fold of EVAL_MAX sampled ones (2% of a million)."""
    eligible = np.flatnonzero(matrices.held_out >= 0)
    rng = np.random.default_rng(seed)
    if len(eligible) > EVAL_MAX:
        return [np.sort(rng.choice(eligible, size=EVAL_MAX, replace=False))]
    shuffled = rng.permutation(eligible)
    return [np.sort(fold) for fold in np.array_split(shuffled, FOLDS) if len(fold)]


def evaluate(matrices: Matrices, *, seed: int, tier_floors) -> tuple[dict, dict]:
    """For each fold of holdout_folds, hide its customers' latest acquisitions, fit every scorer on
    what is left, and count how often the hidden product is the first (hit@1) or among the first
    three (hit@3) of the products the customer does not hold. Returns the metrics per scorer and
    the number of customers evaluated."""
    hits = {algorithm: [] for algorithm in ALGORITHMS}
    evaluated = 0
    for fold in holdout_folds(matrices, seed=seed):
        own = matrices.own.copy()
        own[fold, matrices.held_out[fold]] = False
        model, _ = fit(matrices, own, ALGORITHMS, seed=seed, tier_floors=tier_floors)
        x = matrices.features(own, model.means, model.stds)[fold]
        truth = matrices.held_out[fold][:, None]
        for algorithm in ALGORITHMS:
            hits[algorithm].append(_top(scores(model, algorithm, x), own[fold], 3) == truth)
        evaluated += len(fold)
    metrics = {}
    for algorithm, parts in hits.items():
        top = np.vstack(parts) if parts else np.zeros((0, 3), dtype=bool)
        metrics[algorithm] = {"hit_at_1": _share(top[:, :1]), "hit_at_3": _share(top)}
    return metrics, {"evaluated": evaluated}


def _share(hits: np.ndarray) -> float:
    return round(float(hits.any(axis=1).mean()), 4) if len(hits) else 0.0


def best_algorithm(metrics: dict) -> str:
    """The scorer with the best hit@1 + hit@3 (the first offer counts twice: it is the one an agent
    reads first); on a tie the earlier one of ALGORITHMS."""
    return max(ALGORITHMS, key=lambda a: (round(metrics[a]["hit_at_1"] + metrics[a]["hit_at_3"], 4),
                                          -ALGORITHMS.index(a)))


def train(inputs: Inputs, *, seed: int = 0, progress=None) -> tuple[Model, dict]:
    """Evaluate the scorers, then fit the best one on every customer. Returns the model and its
    metrics (hit rates per scorer, customers evaluated, the chosen scorer, sizes)."""
    from threadpoolctl import threadpool_limits

    # One BLAS/OpenMP thread: the matrices are small per call, and on a busy machine the default
    # thread pools spin against each other (the regressions ran 20× slower measured on 2 loaded cores).
    with threadpool_limits(1):
        return _train(inputs, seed=seed, progress=progress)


def _train(inputs: Inputs, *, seed: int, progress) -> tuple[Model, dict]:
    step = progress or (lambda label: None)
    step("features")
    matrices = build_matrices(inputs)
    step("evaluate")
    metrics, counts = evaluate(matrices, seed=seed, tier_floors=inputs.tier_floors)
    chosen = best_algorithm(metrics)
    step("fit")
    model, sample = fit(matrices, matrices.own, (chosen, "rules"), seed=seed, tier_floors=inputs.tier_floors)
    return model, {"hit_rates": metrics, **counts, "chosen": chosen, "products": len(matrices.products),
                   "customers": len(matrices.own), "sample_size": sample or len(matrices.own)}


def suggest(model: Model, *, held: set[str], competitor: set[str], is_org: bool, arpu: float,
            tenure_days: float, spend_12m: float, excluded: set[str] = frozenset(), limit: int = 3
            ) -> list[Suggestion]:
    """The best `limit` products for one customer that it does not hold and has not declined."""
    index = model.item_index
    x = np.zeros(len(model.items) + len(NUMERIC), dtype=np.float32)
    for label in [*held, *(f"competitor:{name}" for name in competitor)]:
        if label in index:
            x[index[label]] = 1.0
    numeric = _numeric([float(is_org)], [arpu], [tenure_days], [spend_12m], model.tier_floors)[0]
    numeric[4:] = (numeric[4:] - model.means) / model.stds
    x[len(model.items):] = numeric
    score = scores(model, model.algorithm, x[None, :])[0]
    blocked = np.array([p in held or p in excluded for p in model.products], dtype=bool)
    order = [j for j in np.argsort(-score, kind="stable") if not blocked[j]][:limit]
    return [_suggestion(model, j, float(score[j]), x) for j in order]


def _suggestion(model: Model, j: int, score: float, x: np.ndarray) -> Suggestion:
    n_items = len(model.items)
    held = x[:n_items] > 0
    product = str(model.products[j])
    if model.algorithm == "propensity":
        weight = np.where(held, model.coef[j, :n_items], -np.inf)
        a = int(np.argmax(weight)) if held.any() else -1
        return _because(model, product, score, score, a if a >= 0 and weight[a] > 0 else -1, 0)
    if model.algorithm == "rules":
        confidence = np.where(held, model.confidence[:, j], -1.0)
        a = int(np.argmax(confidence))
        if confidence[a] > 0:
            return _because(model, product, score, float(confidence[a]), a, int(model.antecedents[a]))
    return Suggestion(product=product, score=score, share=float(model.base[j]), of_all=True)


def _because(model: Model, product: str, score: float, share: float, a: int, similar: int) -> Suggestion:
    if a < 0:
        return Suggestion(product=product, score=score, share=share)
    return Suggestion(product=product, score=score, share=share, because=str(model.items[a]),
                      because_competitor=a >= model.n_products, similar=similar)
