"""The Python reference of `npm run bench -- train-fd001`: the stages of a Prognos training run
(default config) on train_FD001, in the Python stack an analyst would otherwise use, timed stage by stage.

Input: one JSON argument (see bench/train-fd001.ts). The run's split units, its selected features,
the number of epochs its two LSTMs ran and the boosting rounds each of its tree models trained come
from the Prognos run, so every model here trains on the same rows and features and does as much work
as ours (early stopping on either side would otherwise decide the work). `info` reports the seconds
per boosting round of each xgboost model (the xgb.train call alone) and where xgboost's own early
stopping would have stopped.

Stages, each timed with time.perf_counter():
- features: labels (RUL, failure within the label window), near-constant sensors dropped on the
  training rows, then pandas groupby-rolling mean/std/min/max/slope over the same windows, EWMA,
  first difference, raw value, the distance from the unit's start and the age;
- ranking: a quick xgboost (30 rounds, depth 4) for gain, then the same metrics as Prognos's ranking
  (mutual information on equal-frequency bins, |Spearman| with RUL, monotonicity, trendability,
  prognosability) in numpy/scipy — sklearn and scipy have no such prognostic ranking — and the
  weighted mean of the per-metric ranks; top K;
- gbdt: xgboost binary:logistic, hist, the same parameters, exactly as many boosting rounds as our
  classifier trained (its kept trees plus the early-stopping patience, read from our run), the
  validation units' full-window rows evaluated after every round as ours are; validation and test
  probabilities from as many trees as ours kept (xgboost's own early stop is reported, not used);
- lstm: standardisation, left-padded windows, PyTorch LSTM → LSTM → additive attention → dropout →
  dense + sigmoid, Adam, class-weighted BCE, the same batch size, the same number of epochs, the
  best validation epoch kept; validation and test probabilities;
- rulGbdt: xgboost reg:squarederror on min(RUL, cap) over the run's RUL features, the same depth/eta/min_child_weight, one per seed, each
  training exactly as many rounds as the corresponding member of ours (validation RMSE after every
  round, predictions from as many trees as that member kept), averaged;
- rulLstm: the same network with a fractional target (soft BCE), the RUL ensemble weight grid and
  split-conformal intervals;
- calibration: none / Platt / isotonic (pool adjacent violators) chosen by 5-fold cross-validation
  grouped by unit on the validation units, then fitted, ECE on validation and test;
- evaluate: ensemble weight grid with an F2 threshold for each weight, thresholds, metrics, ROC/PR.
"""
import copy
import json
import sys
import time

import numpy as np
import pandas as pd
import torch
import torch.nn as nn
import xgboost as xgb
from scipy.stats import rankdata

cfg = json.loads(sys.argv[1])
SEED = cfg['seed']
NTHREAD = cfg['xgbThreads']
stages = {}
info = {}


def timed(name):
    class T:
        def __enter__(self):
            self.t0 = time.perf_counter()

        def __exit__(self, *a):
            stages[name] = stages.get(name, 0.0) + time.perf_counter() - self.t0
    return T()


names = ['unit', 'cycle'] + ['setting%d' % i for i in range(1, 4)] + ['s%d' % i for i in range(1, 22)]
df = pd.read_csv(cfg['file'], sep=r'\s+', header=None, names=names)
split = cfg['split']
units = df['unit'].to_numpy()
train_units, valid_units, test_units = (np.array(split[k]) for k in ('train', 'validation', 'test'))
H = cfg['historyWindow']

# ---------------------------------------------------------------- features
with timed('features'):
    g = df.groupby('unit', sort=False)
    last = g['cycle'].transform('max')
    rul = (last - df['cycle']).to_numpy()
    label = (rul <= cfg['labelWindow']).astype(np.float32)
    train_mask = np.isin(units, train_units)
    fs = cfg['featureSpec']
    sensors = []
    for s in ['s%d' % i for i in range(1, 22)]:
        x = df.loc[train_mask, s]
        if x.std(ddof=0) <= fs['nearConstantStd'] * max(1.0, abs(x.mean())) or x.nunique() < fs['minDistinctValues']:
            continue
        sensors.append(s)
    X = df[sensors]
    gx = X.groupby(df['unit'], sort=False)
    t = df['cycle'].astype('float64')
    tg = t.groupby(df['unit'], sort=False)
    out = {s: X[s] for s in sensors}
    parts = []
    for w in fs['windows']:
        r = gx.rolling(w, min_periods=1)
        m = r.mean().reset_index(level=0, drop=True)
        sd = r.std(ddof=0).reset_index(level=0, drop=True)
        mn = r.min().reset_index(level=0, drop=True)
        mx = r.max().reset_index(level=0, drop=True)
        tx = X.mul(t, axis=0).groupby(df['unit'], sort=False).rolling(w, min_periods=1).mean().reset_index(level=0, drop=True)
        tm = tg.rolling(w, min_periods=1).mean().reset_index(level=0, drop=True)
        tt = (t * t).groupby(df['unit'], sort=False).rolling(w, min_periods=1).mean().reset_index(level=0, drop=True)
        var = tt - tm * tm
        slope = tx.sub(m.mul(tm, axis=0)).div(var.where(var > 0), axis=0).fillna(0)
        for stat, frame in (('mean', m), ('std', sd), ('min', mn), ('max', mx), ('slope', slope)):
            parts.append(frame.add_suffix('_%s_%d' % (stat, w)))
    ew = gx.ewm(alpha=fs['ewmaAlpha'], adjust=False).mean().reset_index(level=0, drop=True)
    parts.append(ew.add_suffix('_ewma'))
    parts.append(gx.diff().fillna(0).add_suffix('_diff'))
    if fs['include'].get('baseline', False):
        # distance from the unit's start: the EWMA minus the mean of its first B rows (the rows so far while fewer)
        B = fs['baselineCycles']
        pos = gx.cumcount().to_numpy()
        first = gx.cumsum().div(pos + 1, axis=0).where(pd.DataFrame(np.repeat((pos < B)[:, None], len(sensors), axis=1), index=X.index, columns=X.columns))
        parts.append((ew - first.groupby(df['unit'], sort=False).ffill()).add_suffix('_vs_start'))
    if fs['include'].get('trend', False):
        # trend since the unit's start: the least-squares slope over every row so far (t and x shifted by the first row)
        ts = t - tg.transform('first')
        xs = X - gx.transform('first')
        n = (gx.cumcount() + 1).astype('float64')
        St = ts.groupby(df['unit'], sort=False).cumsum()
        Stt = (ts * ts).groupby(df['unit'], sort=False).cumsum()
        Sx = xs.groupby(df['unit'], sort=False).cumsum()
        Stx = xs.mul(ts, axis=0).groupby(df['unit'], sort=False).cumsum()
        den = n * Stt - St * St
        num = Stx.mul(n, axis=0) - Sx.mul(St, axis=0)
        parts.append(num.div(den.where(den > 0), axis=0).fillna(0).add_suffix('_trend'))
    if fs['include'].get('age', False):
        parts.append(t.rename('cycle').to_frame())
    features = pd.concat([X] + parts, axis=1).astype(np.float32)
    feature_names = list(features.columns)
    F_all = features.to_numpy()
info['features'] = len(feature_names)
info['sensors'] = sensors

# ---------------------------------------------------------------- ranking
rk = cfg['ranking']
# the trends engineered for the RUL trees alone are not ranked (rul.trend), as in the pipeline
rul_only = set(cfg.get('rulOnly', []))
rank_names = [nm for nm in feature_names if nm not in rul_only]
with timed('ranking'):
    F_rank = F_all if len(rank_names) == len(feature_names) else F_all[:, [feature_names.index(nm) for nm in rank_names]]
    tr_idx = np.flatnonzero(train_mask)
    p = cfg['gbdt']
    quick = xgb.train(
        {'objective': 'binary:logistic', 'tree_method': 'hist', 'max_depth': 4, 'eta': 0.3, 'subsample': 0.8, 'colsample_bytree': 0.8,
         'max_bin': p['maxBin'], 'seed': SEED, 'nthread': NTHREAD, 'verbosity': 0},
        xgb.DMatrix(F_rank[tr_idx], label=label[tr_idx], feature_names=rank_names, nthread=NTHREAD), num_boost_round=30)
    gain_map = quick.get_score(importance_type='total_gain')
    Xt = F_rank[tr_idx].astype(np.float64)
    n = len(tr_idx)
    ranks = rankdata(Xt, axis=0)  # mid-ranks
    bins = rk['bins']
    b = np.floor((ranks - 1) * bins / n).astype(np.int64)
    yt = label[tr_idx].astype(np.int64)
    # mutual information of (bin, label)
    joint = np.zeros((Xt.shape[1], bins, 2))
    for c in (0, 1):
        sel = yt == c
        for f in range(Xt.shape[1]):
            joint[f, :, c] = np.bincount(b[sel, f], minlength=bins)[:bins]
    pj = joint / n
    px = pj.sum(2, keepdims=True)
    py = pj.sum(1, keepdims=True)
    with np.errstate(divide='ignore', invalid='ignore'):
        mi = np.nansum(np.where(pj > 0, pj * np.log(pj / (px * py)), 0), axis=(1, 2))
    rr = rankdata(rul[tr_idx])
    zr = (rr - rr.mean()) / rr.std()
    zs = ranks - ranks.mean(0)
    sdv = zs.std(0)
    spearman = np.abs(np.where(sdv > 0, (zs * zr[:, None]).mean(0) / np.where(sdv > 0, sdv, 1), 0))
    tu = units[tr_idx]
    starts = np.flatnonzero(np.r_[True, tu[1:] != tu[:-1]])
    ends = np.r_[starts[1:], len(tu)]
    d = np.sign(np.diff(Xt, axis=0))
    d[starts[1:] - 1] = 0  # differences across unit boundaries
    sums = np.add.reduceat(np.vstack([d, np.zeros((1, d.shape[1]))]), starts, axis=0)
    lens = (ends - starts).astype(np.float64)
    mono = np.mean(np.abs(sums) / np.maximum(lens - 1, 1)[:, None], axis=0)
    L = rk['resampleLength']
    grid = np.linspace(0, 1, L)
    Z = np.empty((len(starts), L, Xt.shape[1]))
    for j, (a, e) in enumerate(zip(starts, ends)):
        # linear interpolation over the life fraction, every feature at once
        pos = grid * (e - a - 1)
        lo = np.minimum(np.floor(pos).astype(np.int64), e - a - 1)
        hi = np.minimum(lo + 1, e - a - 1)
        frac = (pos - lo)[:, None]
        Z[j] = Xt[a + lo] * (1 - frac) + Xt[a + hi] * frac
    trend = np.empty(Xt.shape[1])
    iu = np.triu_indices(len(starts), 1)
    for f in range(Xt.shape[1]):
        z = Z[:, :, f]
        flat = z.std(1) == 0
        with np.errstate(invalid='ignore', divide='ignore'):
            c = np.corrcoef(z)
        c[flat, :] = 0
        c[:, flat] = 0
        trend[f] = np.nanmin(np.abs(c[iu]))
    first = Xt[starts]
    fail = Xt[ends - 1]
    den = np.abs(first - fail).mean(0)
    prog = np.where(den > 0, np.exp(-fail.std(0) / np.where(den > 0, den, 1)), 0)
    gain = np.array([gain_map.get(nm, 0.0) for nm in rank_names])
    w = rk['weights']
    metrics = [(mi, w['mutualInfo']), (spearman, w['spearman']), (mono, w['monotonicity']), (trend, w['trendability']), (prog, w['prognosability']), (gain, w['gain'])]
    combined = sum(wt * rankdata(-np.nan_to_num(v)) for v, wt in metrics) / sum(wt for _, wt in metrics)
    order = np.lexsort((np.array(rank_names), -mi, combined))
    top = [rank_names[i] for i in order[:cfg['topK']]]
info['topOverlap'] = len(set(top) & set(cfg['selected']))

# the models train on the run's own selection, so both sides fit the same data
rul_selected = cfg.get('rulSelected', cfg['selected'])
missing = [s for s in cfg['selected'] + rul_selected if s not in feature_names]
if missing:
    raise SystemExit('features missing from the pandas reference: %s' % missing)
col = [feature_names.index(s) for s in cfg['selected']]
FS = np.ascontiguousarray(F_all[:, col])
FR = FS if rul_selected == cfg['selected'] else np.ascontiguousarray(F_all[:, [feature_names.index(s) for s in rul_selected]])
starts_all = np.flatnonzero(np.r_[True, units[1:] != units[:-1]])
row_in_unit = np.arange(len(units)) - np.repeat(starts_all, np.diff(np.r_[starts_all, len(units)]))


def full_window_rows(us):
    return np.flatnonzero(np.isin(units, us) & (row_in_unit >= H - 1))


tr_rows = np.flatnonzero(np.isin(units, train_units))
va_rows = full_window_rows(valid_units)
te_rows = full_window_rows(test_units)
yv, yte = label[va_rows], label[te_rows]


def tune_threshold(p, y, beta=2.0):
    o = np.argsort(-p, kind='stable')
    ps, ys = p[o], y[o]
    tp = np.cumsum(ys)
    fp = np.cumsum(1 - ys)
    last = np.r_[ps[1:] != ps[:-1], True]
    tp, fp, th = tp[last], fp[last], ps[last]
    P = ys.sum()
    prec = tp / (tp + fp)
    rec = tp / max(P, 1)
    b2 = beta * beta
    with np.errstate(invalid='ignore', divide='ignore'):
        f = np.nan_to_num((1 + b2) * prec * rec / (b2 * prec + rec))
    k = int(np.argmax(f))
    return float(th[k]), float(f[k])


def train_rounds(params, dtr, dva, rounds, patience):
    """xgboost trained for exactly `rounds` rounds with the validation metric after each (as ours
    evaluates it), timed alone; and the trees xgboost's own early stopping would have kept."""
    history = {}
    t0 = time.perf_counter()
    booster = xgb.train(params, dtr, num_boost_round=rounds, evals=[(dva, 'valid')], evals_result=history, verbose_eval=False)
    seconds = time.perf_counter() - t0
    loss = next(iter(history['valid'].values()))
    best = 0
    for k in range(1, len(loss)):
        if loss[k] < loss[best]:
            best = k
        elif patience > 0 and k - best >= patience:
            break
    return booster, seconds, best + 1


# ---------------------------------------------------------------- gbdt
with timed('gbdt'):
    spw = p['scalePosWeight']
    ytr = label[tr_rows]
    if spw == 'balanced':
        spw = float((len(ytr) - ytr.sum()) / ytr.sum())
    params = {'objective': 'binary:logistic', 'tree_method': 'hist', 'eval_metric': 'logloss', 'max_depth': p['maxDepth'], 'eta': p['eta'],
              'min_child_weight': p['minChildWeight'], 'lambda': p['lambda'], 'alpha': p['alpha'], 'gamma': p['gamma'], 'subsample': p['subsample'],
              'colsample_bytree': p['colsampleBytree'], 'max_bin': p['maxBin'], 'scale_pos_weight': spw, 'seed': SEED, 'nthread': NTHREAD,
              'base_score': float(min(max(ytr.mean(), 1e-6), 1 - 1e-6)), 'verbosity': 0}
    dtr = xgb.DMatrix(FS[tr_rows], label=ytr, nthread=NTHREAD)
    dva = xgb.DMatrix(FS[va_rows], label=yv, nthread=NTHREAD)
    dte = xgb.DMatrix(FS[te_rows], nthread=NTHREAD)
    booster, seconds, own = train_rounds(params, dtr, dva, cfg['gbdtRounds']['trained'], p['earlyStoppingRounds'])
    it = (0, cfg['gbdtRounds']['kept'])
    g_valid = booster.predict(dva, iteration_range=it).astype(np.float64)
    g_test = booster.predict(dte, iteration_range=it).astype(np.float64)
info['gbdt'] = {'rounds': cfg['gbdtRounds']['trained'], 'kept': cfg['gbdtRounds']['kept'], 'secondsPerRound': seconds / cfg['gbdtRounds']['trained'], 'ownEarlyStop': own}


# ---------------------------------------------------------------- lstm
lp = cfg['lstm']


class Net(nn.Module):
    def __init__(s, F):
        super().__init__()
        s.l1 = nn.LSTM(F, lp['units1'], batch_first=True)
        s.l2 = nn.LSTM(lp['units1'], lp['units2'], batch_first=True)
        s.W = nn.Linear(lp['units2'], lp['attentionUnits'])
        s.v = nn.Linear(lp['attentionUnits'], 1, bias=False)
        s.drop = nn.Dropout(lp['dropout'])
        s.out = nn.Linear(lp['units2'], 1)

    def forward(s, x):
        h, _ = s.l1(x)
        h, _ = s.l2(h)
        alpha = torch.softmax(s.v(torch.tanh(s.W(h))).squeeze(-1), dim=1)
        return s.out(s.drop((alpha.unsqueeze(-1) * h).sum(1))).squeeze(-1)


def windows(scaled, rows):
    """[n, H, F] windows ending at rows, left-padded with the unit's first row."""
    first = starts_all[np.searchsorted(starts_all, rows, side='right') - 1]
    idx = rows[:, None] - np.arange(H - 1, -1, -1)[None, :]
    idx = np.maximum(idx, first[:, None])
    return torch.from_numpy(scaled[idx])


def predict(m, x):
    m.eval()
    with torch.no_grad():
        return np.concatenate([torch.sigmoid(m(x[i:i + 1024])).numpy() for i in range(0, len(x), 1024)]).astype(np.float64)


def train_lstm(xt, yt, xv, yv_, epochs, fraction, seed=SEED):
    torch.manual_seed(seed)
    m = Net(xt.shape[2])
    opt = torch.optim.Adam(m.parameters(), lr=lp['learningRate'], eps=1e-7)
    B = lp['batchSize']
    if fraction:
        wpos = 1.0
    else:
        pos = float(yt.sum())
        wpos = (len(yt) - pos) / pos if lp['classWeight'] == 'balanced' else float(lp['classWeight'])
    best, best_state = None, None
    for _ in range(epochs):
        m.train()
        perm = torch.randperm(len(xt))
        for i in range(0, len(xt), B):
            idx = perm[i:i + B]
            y = yt[idx]
            w = None if fraction else torch.where(y > 0, torch.tensor(wpos), torch.tensor(1.0))
            loss = nn.functional.binary_cross_entropy_with_logits(m(xt[idx]), y, weight=w)
            opt.zero_grad()
            loss.backward()
            opt.step()
        pv = np.clip(predict(m, xv), 1e-7, 1 - 1e-7)
        val = float(-np.mean(yv_ * np.log(pv) + (1 - yv_) * np.log(1 - pv)))
        if best is None or val < best:
            best, best_state = val, copy.deepcopy(m.state_dict())
    m.load_state_dict(best_state)
    return m


def probe_threads(xt, yt):
    """Seconds per training batch at 1 and 2 threads (a few batches after a warm-up)."""
    out = {}
    for threads in (1, 2):
        torch.set_num_threads(threads)
        torch.manual_seed(SEED)
        m = Net(xt.shape[2])
        opt = torch.optim.Adam(m.parameters(), lr=lp['learningRate'], eps=1e-7)
        B = lp['batchSize']
        times = []
        for k in range(6):
            t0 = time.perf_counter()
            loss = nn.functional.binary_cross_entropy_with_logits(m(xt[k * B:(k + 1) * B]), yt[k * B:(k + 1) * B])
            opt.zero_grad()
            loss.backward()
            opt.step()
            times.append(time.perf_counter() - t0)
        out[threads] = min(times[1:])
    return out


with timed('lstm'):
    mu = FS[tr_rows].astype(np.float64).mean(0)
    sd = FS[tr_rows].astype(np.float64).std(0)
    sd[sd == 0] = 1
    scaled = ((FS - mu) / sd).astype(np.float32)
    xt_w = windows(scaled, tr_rows)
    xv_w = windows(scaled, va_rows)
    xte_w = windows(scaled, te_rows)
    yt_t = torch.from_numpy(label[tr_rows].astype(np.float32))
# the thread count is chosen outside the timed stages: PyTorch at its best
if cfg['torchThreads'] == 'auto':
    probe = probe_threads(xt_w, yt_t)
    threads = min(probe, key=probe.get)
    info['threadProbe'] = {str(k): v for k, v in probe.items()}
else:
    threads = int(cfg['torchThreads'])
torch.set_num_threads(threads)
info['torchThreads'] = threads
with timed('lstm'):
    # as many networks as ours averages, each for as many epochs as ours ran
    nets = [train_lstm(xt_w, yt_t, xv_w, yv, e, False, SEED + k) for k, e in enumerate(cfg['lstmEpochs'])]
    l_valid = np.mean([predict(m, xv_w) for m in nets], axis=0)
    l_test = np.mean([predict(m, xte_w) for m in nets], axis=0)

# ---------------------------------------------------------------- RUL
rp = cfg['rul']
cap = rp['cap']
target = np.minimum(rul, cap).astype(np.float32)
with timed('rulGbdt'):
    dtr = xgb.DMatrix(FR[tr_rows], label=target[tr_rows], nthread=NTHREAD)
    dva = xgb.DMatrix(FR[va_rows], label=target[va_rows], nthread=NTHREAD)
    dte = xgb.DMatrix(FR[te_rows], nthread=NTHREAD)
    rv, rt, members = np.zeros(len(va_rows)), np.zeros(len(te_rows)), []
    rounds = cfg['rulRounds']
    if len(rounds) != rp['seeds']:
        raise SystemExit('rulRounds: %d members given, the config has %d seeds' % (len(rounds), rp['seeds']))
    for k in range(rp['seeds']):
        params = {'objective': 'reg:squarederror', 'tree_method': 'hist', 'eval_metric': 'rmse', 'max_depth': rp['gbdt']['maxDepth'], 'eta': rp['gbdt']['eta'],
                  'min_child_weight': rp['gbdt'].get('minChildWeight', p['minChildWeight']), 'lambda': p['lambda'], 'alpha': p['alpha'], 'gamma': p['gamma'], 'subsample': p['subsample'],
                  'colsample_bytree': p['colsampleBytree'], 'max_bin': p['maxBin'], 'seed': SEED + k, 'nthread': NTHREAD, 'verbosity': 0}
        bst, seconds, own = train_rounds(params, dtr, dva, rounds[k]['trained'], rp['gbdt']['earlyStoppingRounds'])
        it = (0, rounds[k]['kept'])
        members.append({'rounds': rounds[k]['trained'], 'kept': rounds[k]['kept'], 'secondsPerRound': seconds / rounds[k]['trained'], 'ownEarlyStop': own})
        rv += bst.predict(dva, iteration_range=it)
        rt += bst.predict(dte, iteration_range=it)
    rv /= rp['seeds']
    rt /= rp['seeds']
info['rulGbdt'] = members

with timed('rulLstm'):
    heads = [train_lstm(xt_w, torch.from_numpy(target[tr_rows] / cap), xv_w, target[va_rows] / cap, e, True, SEED + k) for k, e in enumerate(cfg['rulLstmEpochs'])]
    lv = np.mean([predict(m, xv_w) for m in heads], axis=0) * cap
    lt = np.mean([predict(m, xte_w) for m in heads], axis=0) * cap
    tv = target[va_rows]
    wgrid = np.round(np.arange(0, 21) * 0.05, 6)
    rmse = [float(np.sqrt(np.mean((wg * rv + (1 - wg) * lv - tv) ** 2))) for wg in wgrid]
    wr = float(wgrid[int(np.argmin(rmse))])
    ens = wr * rv + (1 - wr) * lv
    resid = rul[va_rows] - ens
    q = np.quantile(np.abs(resid), rp['coverage'])
info['rulWeight'] = wr

# ---------------------------------------------------------------- evaluate (ensemble weight) and calibration
with timed('evaluate'):
    grid = [(wg,) + tune_threshold(wg * g_valid + (1 - wg) * l_valid, yv) for wg in wgrid]
    weight = max(grid, key=lambda r: (r[2], -abs(r[0] - 0.6)))[0]
    e_valid = weight * g_valid + (1 - weight) * l_valid
    e_test = weight * g_test + (1 - weight) * l_test
info['weight'] = weight


def logit(p):
    p = np.clip(p, 1e-7, 1 - 1e-7)
    return np.log(p / (1 - p))


def platt(p, y):
    x = logit(p)
    npos = y.sum()
    nneg = len(y) - npos
    tt = np.where(y > 0, (npos + 1) / (npos + 2), 1 / (nneg + 2))
    a, b = 1.0, 0.0
    for _ in range(100):
        z = a * x + b
        q = 1 / (1 + np.exp(-z))
        g = np.array([np.sum((q - tt) * x), np.sum(q - tt)])
        wq = q * (1 - q) + 1e-12
        Hm = np.array([[np.sum(wq * x * x), np.sum(wq * x)], [np.sum(wq * x), np.sum(wq)]])
        step = np.linalg.solve(Hm + 1e-12 * np.eye(2), g)
        a, b = a - step[0], b - step[1]
        if np.abs(step).max() < 1e-10:
            break
    return lambda v: 1 / (1 + np.exp(-(a * logit(v) + b)))


def isotonic(p, y):
    o = np.argsort(p, kind='stable')
    xs, ys = p[o], y[o].astype(np.float64)
    vals, wts, xsb = [], [], []
    for xv_, yv_ in zip(xs, ys):
        vals.append(yv_)
        wts.append(1.0)
        xsb.append(xv_)
        while len(vals) > 1 and vals[-2] >= vals[-1]:
            wsum = wts[-2] + wts[-1]
            vals[-2] = (vals[-2] * wts[-2] + vals[-1] * wts[-1]) / wsum
            wts[-2] = wsum
            vals.pop()
            wts.pop()
            xsb.pop()
    bx, by = np.array(xsb), np.array(vals)
    return lambda v: np.interp(v, bx, by)


def logloss(q, y):
    q = np.clip(q, 1e-7, 1 - 1e-7)
    return float(-np.mean(y * np.log(q) + (1 - y) * np.log(1 - q)))


def ece(q, y):
    b = np.minimum((q * 10).astype(int), 9)
    tot = 0.0
    for k in range(10):
        s = b == k
        if s.any():
            tot += s.sum() * abs(q[s].mean() - y[s].mean())
    return tot / len(q)


with timed('calibration'):
    vu = units[va_rows]
    us = np.unique(vu)
    rng = np.random.default_rng(SEED)
    rng.shuffle(us)
    fold = {u: i % 5 for i, u in enumerate(us)}
    fo = np.array([fold[u] for u in vu])
    methods = {'none': lambda p_, y_: (lambda v: v), 'platt': platt, 'isotonic': isotonic}
    totals = {m: 0.0 for m in methods}
    for f in range(5):
        fit, held = fo != f, fo == f
        for mname, fitter in methods.items():
            c = fitter(e_valid[fit], yv[fit])
            totals[mname] += logloss(c(e_valid[held]), yv[held]) * held.sum()
    method = min(totals, key=lambda m: totals[m])
    cal = methods[method](e_valid, yv)
    c_valid, c_test = cal(e_valid), cal(e_test)
    ece_valid, ece_test = ece(c_valid, yv), ece(c_test, yte)
info['calibration'] = method

with timed('evaluate'):
    f2 = {}
    for mname, (pv, pt) in {'gbdt': (g_valid, g_test), 'lstm': (l_valid, l_test), 'ensemble': (c_valid, c_test)}.items():
        th, fv = tune_threshold(pv, yv)
        f2[mname] = fv
        for pp, yy in ((pv, yv), (pt, yte)):
            o = np.argsort(-pp, kind='stable')
            tp = np.cumsum(yy[o])
            fp = np.cumsum(1 - yy[o])
            _roc = (fp / max(fp[-1], 1), tp / max(tp[-1], 1))
            _pr = (tp / np.arange(1, len(pp) + 1), tp / max(tp[-1], 1))
info['validF2'] = f2

print(json.dumps({'versions': {'pandas': pd.__version__, 'xgboost': xgb.__version__, 'torch': torch.__version__, 'numpy': np.__version__},
                  'stages': stages, 'info': info}))
