/**
 * Every fixed string a PDF report shows, in English and German, and the number and date formats it
 * uses (the same in both languages, so a figure reads the same whichever language the template asks).
 */
import type { ReportLanguage, RiskBucket } from './report';

export interface ReportLabels {
  contents: string;
  pageOf: (page: number, pages: number) => string;
  sections: { cover: string; summary: string; actions: string; units: string; health: string; appendix: string };
  cover: {
    fleet: string;
    date: string;
    author: string;
    model: string;
    modelRun: string;
    modelBundle: string;
    bundleSha256: string;
    signature: string;
    models: string;
    features: string;
    trainedOn: string;
    rule: string;
    threshold: string;
    horizon: string;
    horizonValue: (w: number) => string;
    rulCap: string;
    rulCoverage: string;
    fleetSize: string;
    fleetSizeValue: (units: number, rows: number) => string;
    regimes: string;
    fingerprint: string;
    notes: string;
  };
  summary: {
    buckets: Record<RiskBucket, string>;
    bucketHelp: (w: number, withRul: boolean) => Record<RiskBucket, string>;
    units: string;
    total: string;
    chartAxis: string;
    previous: (title: string, date: string) => string;
    before: string;
    after: string;
    newlyAtRisk: string;
    noLongerAtRisk: string;
    risen: string;
    added: string;
    removed: string;
    none: string;
  };
  actions: {
    intro: (units: number) => string;
    rank: string;
    unit: string;
    probability: string;
    rul: string;
    interval: string;
    lastCycle: string;
    action: string;
    priority: string;
    priorities: Record<'high' | 'medium' | 'low', string>;
    trueRul: string;
  };
  panel: {
    title: (unit: number, rank: number) => string;
    probability: string;
    rul: string;
    lastCycle: string;
    action: string;
    risk: string;
    cycle: string;
    riskAxis: string;
    thresholdLine: (t: string) => string;
    contributions: string;
    contributionAxis: string;
    bias: string;
    margin: string;
    feature: string;
    value: string;
    contribution: string;
    sources: string;
    source: string;
    trends: string;
    noTrends: string;
  };
  health: {
    metrics: string;
    model: string;
    split: string;
    splits: Record<'validation' | 'test', string>;
    rul: string;
    calibration: string;
    method: string;
    ece: string;
    predicted: string;
    observed: string;
    perfect: string;
    noCalibration: string;
    drift: string;
    noDrift: string;
    driftVerdict: (drift: boolean) => string;
    driftedShare: string;
    drifted: string;
    domainAuc: string;
    estimatedF2: string;
    report: string;
    quality: string;
    noQuality: string;
  };
  appendix: {
    method: string;
    methodText: string[];
    definitions: string;
    definitionsList: (w: number, threshold: string) => { term: string; text: string }[];
    inputs: string;
    file: string;
    role: string;
    roles: Record<'data' | 'rul' | 'bundle' | 'template', string>;
    sha256: string;
    bytes: string;
    options: string;
  };
  signature: Record<'trusted' | 'unknown-key' | 'unsigned' | 'bad-signature', string>;
  notAvailable: string;
  yes: string;
  no: string;
}

const EN: ReportLabels = {
  contents: 'Contents',
  pageOf: (p, n) => `Page ${p} of ${n}`,
  sections: {
    cover: 'Cover',
    summary: 'Summary',
    actions: 'Action table',
    units: 'Units at risk',
    health: 'Model and data health',
    appendix: 'Appendix',
  },
  cover: {
    fleet: 'Fleet',
    date: 'Date',
    author: 'Author',
    model: 'Model',
    modelRun: 'Training run',
    modelBundle: 'Model bundle',
    bundleSha256: 'Bundle SHA-256',
    signature: 'Signature',
    models: 'Models',
    features: 'Features',
    trainedOn: 'Trained on',
    rule: 'Decision rule',
    threshold: 'Alert threshold',
    horizon: 'Horizon W',
    horizonValue: (w) => `${w} cycles`,
    rulCap: 'RUL cap',
    rulCoverage: 'RUL interval coverage',
    fleetSize: 'Fleet size',
    fleetSizeValue: (u, r) => `${u} units, ${r} rows`,
    regimes: 'Operating regimes',
    fingerprint: 'Data fingerprint',
    notes: 'Notes',
  },
  summary: {
    buckets: { now: 'At risk now', soon: 'Within the next W cycles', later: 'Later' },
    bucketHelp: (w, withRul) => ({
      now: `the model alerts: failure expected within ${w} cycles`,
      soon: withRul
        ? `no alert yet, but predicted RUL at most ${2 * w} cycles`
        : 'no alert yet, but probability at least half the threshold',
      later: 'everything else',
    }),
    units: 'Units',
    total: 'Total',
    chartAxis: 'Units',
    previous: (title, date) => `Since the previous report (${title}, ${date})`,
    before: 'Before',
    after: 'Now',
    newlyAtRisk: 'Newly at risk',
    noLongerAtRisk: 'No longer at risk',
    risen: 'Largest rises in probability',
    added: 'Units added',
    removed: 'Units removed',
    none: 'none',
  },
  actions: {
    intro: (n) => `All ${n} units, highest failure risk first.`,
    rank: 'Rank',
    unit: 'Unit',
    probability: 'Probability',
    rul: 'RUL',
    interval: 'RUL interval',
    lastCycle: 'Last cycle',
    action: 'Recommended action',
    priority: 'Priority',
    priorities: { high: 'HIGH', medium: 'MEDIUM', low: 'low' },
    trueRul: 'True RUL',
  },
  panel: {
    title: (u, r) => `Unit ${u} (rank ${r})`,
    probability: 'Probability',
    rul: 'RUL (interval)',
    lastCycle: 'Last cycle',
    action: 'Action',
    risk: 'Failure risk over cycles',
    cycle: 'Cycle',
    riskAxis: 'Probability',
    thresholdLine: (t) => `threshold ${t}`,
    contributions: 'What drives the risk (TreeSHAP, log-odds)',
    contributionAxis: 'Contribution to log-odds',
    bias: 'Base value',
    margin: 'Model margin',
    feature: 'Feature',
    value: 'Value',
    contribution: 'Contribution',
    sources: 'Per sensor',
    source: 'Sensor',
    trends: 'Sensor trends',
    noTrends: 'No trend charts requested.',
  },
  health: {
    metrics: 'Validation metrics',
    model: 'Model',
    split: 'Split',
    splits: { validation: 'validation', test: 'test' },
    rul: 'RUL accuracy',
    calibration: 'Calibration',
    method: 'Method',
    ece: 'Expected calibration error',
    predicted: 'Mean predicted probability',
    observed: 'Observed failure frequency',
    perfect: 'Perfectly calibrated',
    noCalibration: 'No calibration figures are available for this model.',
    drift: 'Data drift',
    noDrift: 'No drift report exists for this fleet and model.',
    driftVerdict: (d) => (d ? 'Drift detected: the fleet data differ from the training data.' : 'No dataset drift detected.'),
    driftedShare: 'Drifted share of columns',
    drifted: 'Drifted columns',
    domainAuc: 'Domain classifier AUC',
    estimatedF2: 'Estimated F2',
    report: 'Drift report',
    quality: 'Data quality',
    noQuality: 'No data-quality notes from import.',
  },
  appendix: {
    method: 'Method',
    methodText: [
      'Each unit is scored at every cycle with the model named on the cover; the action table ranks units by the probability at their last cycle.',
      'The probability is the calibrated ensemble estimate that the unit fails within the horizon W. A unit alerts when it reaches the threshold.',
      'Per-unit explanations are path-dependent TreeSHAP values of the gradient-boosted trees at the unit’s last cycle, in log-odds: base value plus contributions equals the model margin.',
    ],
    definitions: 'Definitions',
    definitionsList: (w, t) => [
      { term: 'Label', text: `a cycle is positive when the unit fails within the next ${w} cycles.` },
      { term: 'Split', text: 'training, validation and test sets are split by unit, never by row.' },
      { term: 'Metrics', text: 'F2 weighs recall twice as much as precision; ROC and PR AUC rank quality; Brier score is the mean squared error of the probability.' },
      { term: 'Buckets', text: `now: probability at least ${t}; within the next W cycles: no alert yet but RUL at most 2W (or probability at least half the threshold without RUL); later: the rest.` },
      { term: 'RUL interval', text: 'remaining useful life in cycles with its conformal interval at the stated coverage.' },
      { term: 'TreeSHAP', text: 'exact Shapley values of the tree ensemble’s margin, path-dependent (following the trees’ own cover).' },
    ],
    inputs: 'Exact inputs',
    file: 'File',
    role: 'Role',
    roles: { data: 'data', rul: 'RUL', bundle: 'bundle', template: 'template' },
    sha256: 'SHA-256',
    bytes: 'Bytes',
    options: 'Options',
  },
  signature: { trusted: 'trusted', 'unknown-key': 'unknown key', unsigned: 'unsigned', 'bad-signature': 'bad signature' },
  notAvailable: 'n/a',
  yes: 'yes',
  no: 'no',
};

const DE: ReportLabels = {
  contents: 'Inhalt',
  pageOf: (p, n) => `Seite ${p} von ${n}`,
  sections: {
    cover: 'Deckblatt',
    summary: 'Zusammenfassung',
    actions: 'Maßnahmentabelle',
    units: 'Gefährdete Einheiten',
    health: 'Modell- und Datenqualität',
    appendix: 'Anhang',
  },
  cover: {
    fleet: 'Flotte',
    date: 'Datum',
    author: 'Verfasser',
    model: 'Modell',
    modelRun: 'Trainingslauf',
    modelBundle: 'Modellpaket',
    bundleSha256: 'SHA-256 des Pakets',
    signature: 'Signatur',
    models: 'Modelle',
    features: 'Merkmale',
    trainedOn: 'Trainiert auf',
    rule: 'Entscheidungsregel',
    threshold: 'Alarmschwelle',
    horizon: 'Horizont W',
    horizonValue: (w) => `${w} Zyklen`,
    rulCap: 'RUL-Obergrenze',
    rulCoverage: 'Abdeckung des RUL-Intervalls',
    fleetSize: 'Flottengröße',
    fleetSizeValue: (u, r) => `${u} Einheiten, ${r} Zeilen`,
    regimes: 'Betriebszustände',
    fingerprint: 'Daten-Fingerabdruck',
    notes: 'Anmerkungen',
  },
  summary: {
    buckets: { now: 'Jetzt gefährdet', soon: 'In den nächsten W Zyklen', later: 'Später' },
    bucketHelp: (w, withRul) => ({
      now: `das Modell alarmiert: Ausfall innerhalb von ${w} Zyklen erwartet`,
      soon: withRul
        ? `noch kein Alarm, aber vorhergesagte RUL höchstens ${2 * w} Zyklen`
        : 'noch kein Alarm, aber Wahrscheinlichkeit mindestens die halbe Schwelle',
      later: 'alle übrigen',
    }),
    units: 'Einheiten',
    total: 'Gesamt',
    chartAxis: 'Einheiten',
    previous: (title, date) => `Seit dem vorigen Bericht (${title}, ${date})`,
    before: 'Vorher',
    after: 'Jetzt',
    newlyAtRisk: 'Neu gefährdet',
    noLongerAtRisk: 'Nicht mehr gefährdet',
    risen: 'Größte Anstiege der Wahrscheinlichkeit',
    added: 'Hinzugekommene Einheiten',
    removed: 'Entfallene Einheiten',
    none: 'keine',
  },
  actions: {
    intro: (n) => `Alle ${n} Einheiten, höchstes Ausfallrisiko zuerst.`,
    rank: 'Rang',
    unit: 'Einheit',
    probability: 'Wahrscheinl.',
    rul: 'RUL',
    interval: 'RUL-Intervall',
    lastCycle: 'Letzter Zyklus',
    action: 'Empfohlene Maßnahme',
    priority: 'Priorität',
    priorities: { high: 'HOCH', medium: 'MITTEL', low: 'niedrig' },
    trueRul: 'Wahre RUL',
  },
  panel: {
    title: (u, r) => `Einheit ${u} (Rang ${r})`,
    probability: 'Wahrscheinlichkeit',
    rul: 'RUL (Intervall)',
    lastCycle: 'Letzter Zyklus',
    action: 'Maßnahme',
    risk: 'Ausfallrisiko über die Zyklen',
    cycle: 'Zyklus',
    riskAxis: 'Risiko',
    thresholdLine: (t) => `Schwelle ${t}`,
    contributions: 'Was das Risiko treibt (TreeSHAP, Log-Odds)',
    contributionAxis: 'Beitrag zu den Log-Odds',
    bias: 'Basiswert',
    margin: 'Modellwert',
    feature: 'Merkmal',
    value: 'Wert',
    contribution: 'Beitrag',
    sources: 'Je Sensor',
    source: 'Sensor',
    trends: 'Sensorverläufe',
    noTrends: 'Keine Verlaufsdiagramme angefordert.',
  },
  health: {
    metrics: 'Validierungsmetriken',
    model: 'Modell',
    split: 'Teilmenge',
    splits: { validation: 'Validierung', test: 'Test' },
    rul: 'RUL-Genauigkeit',
    calibration: 'Kalibrierung',
    method: 'Verfahren',
    ece: 'Erwarteter Kalibrierungsfehler',
    predicted: 'Mittlere vorhergesagte Wahrscheinlichkeit',
    observed: 'Beobachtete Ausfallhäufigkeit',
    perfect: 'Perfekt kalibriert',
    noCalibration: 'Für dieses Modell liegen keine Kalibrierungswerte vor.',
    drift: 'Datendrift',
    noDrift: 'Für diese Flotte und dieses Modell gibt es keinen Driftbericht.',
    driftVerdict: (d) => (d ? 'Drift erkannt: die Flottendaten weichen von den Trainingsdaten ab.' : 'Keine Drift des Datensatzes erkannt.'),
    driftedShare: 'Anteil gedrifteter Spalten',
    drifted: 'Gedriftete Spalten',
    domainAuc: 'AUC des Domänenklassifikators',
    estimatedF2: 'Geschätzter F2',
    report: 'Driftbericht',
    quality: 'Datenqualität',
    noQuality: 'Keine Hinweise zur Datenqualität aus dem Import.',
  },
  appendix: {
    method: 'Verfahren',
    methodText: [
      'Jede Einheit wird in jedem Zyklus mit dem auf dem Deckblatt genannten Modell bewertet; die Maßnahmentabelle ordnet die Einheiten nach der Wahrscheinlichkeit in ihrem letzten Zyklus.',
      'Die Wahrscheinlichkeit ist die kalibrierte Ensemble-Schätzung, dass die Einheit innerhalb des Horizonts W ausfällt. Eine Einheit alarmiert, wenn sie die Schwelle erreicht.',
      'Die Erklärungen je Einheit sind pfadabhängige TreeSHAP-Werte der Gradient-Boosting-Bäume im letzten Zyklus der Einheit, in Log-Odds: Basiswert plus Beiträge ergibt den Modellwert.',
    ],
    definitions: 'Begriffe',
    definitionsList: (w, t) => [
      { term: 'Label', text: `ein Zyklus ist positiv, wenn die Einheit innerhalb der nächsten ${w} Zyklen ausfällt.` },
      { term: 'Aufteilung', text: 'Trainings-, Validierungs- und Testmenge werden nach Einheit getrennt, nie nach Zeile.' },
      { term: 'Metriken', text: 'F2 gewichtet die Trefferquote doppelt so stark wie die Präzision; ROC- und PR-AUC bewerten die Rangfolge; der Brier-Score ist der mittlere quadratische Fehler der Wahrscheinlichkeit.' },
      { term: 'Gruppen', text: `jetzt: Wahrscheinlichkeit mindestens ${t}; in den nächsten W Zyklen: noch kein Alarm, aber RUL höchstens 2W (ohne RUL: Wahrscheinlichkeit mindestens die halbe Schwelle); später: der Rest.` },
      { term: 'RUL-Intervall', text: 'Restnutzungsdauer in Zyklen mit ihrem konformen Intervall bei der angegebenen Abdeckung.' },
      { term: 'TreeSHAP', text: 'exakte Shapley-Werte des Modellwerts des Baumensembles, pfadabhängig (entlang der Abdeckung der Bäume).' },
    ],
    inputs: 'Exakte Eingaben',
    file: 'Datei',
    role: 'Rolle',
    roles: { data: 'Daten', rul: 'RUL', bundle: 'Paket', template: 'Vorlage' },
    sha256: 'SHA-256',
    bytes: 'Bytes',
    options: 'Optionen',
  },
  signature: { trusted: 'vertrauenswürdig', 'unknown-key': 'unbekannter Schlüssel', unsigned: 'nicht signiert', 'bad-signature': 'ungültige Signatur' },
  notAvailable: 'k. A.',
  yes: 'ja',
  no: 'nein',
};

export function reportLabels(language: ReportLanguage): ReportLabels {
  return language === 'de' ? DE : EN;
}

/** A probability as the report prints it everywhere: exactly `p.toFixed(3)`. */
export function formatProbability(p: number): string {
  return p.toFixed(3);
}

/** A number with fixed decimals, or the "not available" mark; the same in every language. */
export function formatReportNumber(n: number | null | undefined, decimals: number, na = 'n/a'): string {
  return n === null || n === undefined || !Number.isFinite(n) ? na : n.toFixed(decimals);
}

/** An ISO 8601 time as `yyyy-mm-dd hh:mm UTC` (the same in every language, never the local zone). */
export function formatReportDate(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
}

/** A cycle count, RUL or interval end, rounded to whole cycles. */
export function formatCycles(n: number | undefined): string {
  return n === undefined || !Number.isFinite(n) ? '' : String(Math.round(n));
}

/** The cover's signature line: the verdict in the report's language, then what was proven (once when that says nothing more). */
export function signatureText(L: ReportLabels, s: { verdict: keyof ReportLabels['signature']; text: string }): string {
  return s.text === s.verdict ? L.signature[s.verdict] : `${L.signature[s.verdict]}: ${s.text}`;
}
