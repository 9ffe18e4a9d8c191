/**
 * Alerts: the shapes of the `alerts:*` and `notifications:*` channels and of the
 * `notifications:changed` event. Rules, notifications and the webhook setting themselves are the
 * shapes of src/shared/drift.ts (`AlertRule`, `Notification`, `WebhookSetting`).
 */
import { z } from 'zod';
import { alertMetricSchema, alertRuleSchema, notificationSchema, webhookSettingSchema } from './drift';

export const ALERT_METRICS = alertMetricSchema.options;
export type AlertMetric = z.infer<typeof alertMetricSchema>;

/** Plain-language names of the metrics a rule can watch. */
export const ALERT_METRIC_LABELS: Readonly<Record<AlertMetric, string>> = {
  datasetDrift: 'Dataset drift (yes = 1)',
  driftedShare: 'Share of features drifting',
  pca: 'PCA reconstruction error',
  domainAuc: 'Domain classifier ROC-AUC',
  predictionDrift: 'Prediction drift (yes = 1)',
  estimatedF2: 'Estimated F2',
  estimatedRecall: 'Estimated recall',
  estimatedPrecision: 'Estimated precision',
};

/** Metrics that `relativeTo: 'validation'` applies to. */
export const RELATIVE_METRICS: readonly AlertMetric[] = ['estimatedF2', 'estimatedRecall', 'estimatedPrecision'];

/** A rule to save: without `ruleId` a new rule is created. */
export const alertRuleDraftSchema = alertRuleSchema
  .extend({ ruleId: z.string().min(1).max(64).optional(), name: z.string().trim().min(1).max(200) })
  .refine((r) => Number.isFinite(r.value), { message: 'value must be a finite number', path: ['value'] })
  .refine((r) => r.relativeTo === undefined || RELATIVE_METRICS.includes(r.metric), {
    message: 'only estimated F2, precision and recall can be set relative to the validation figure',
    path: ['relativeTo'],
  });
export type AlertRuleDraft = z.infer<typeof alertRuleDraftSchema>;

/** One attempt to POST a notification to the webhook. */
export const deliveryAttemptSchema = z.object({
  attempt: z.number().int(),
  at: z.string(),
  /** the HTTP status, or null when no response came (refused, timed out, …) */
  status: z.number().int().nullable(),
  error: z.string().nullable(),
  durationMs: z.number(),
});
export type DeliveryAttempt = z.infer<typeof deliveryAttemptSchema>;

export const notificationEntrySchema = notificationSchema.extend({
  /** every webhook attempt for this notification, oldest first (empty without a webhook) */
  attempts: z.array(deliveryAttemptSchema),
});
export type NotificationEntry = z.infer<typeof notificationEntrySchema>;

export const notificationListSchema = z.object({
  notifications: z.array(notificationEntrySchema),
  unread: z.number().int(),
  total: z.number().int(),
});
export type NotificationList = z.infer<typeof notificationListSchema>;

/** Pushed whenever notifications change: a new one, read marks, a delivery attempt. */
export const notificationsChangedSchema = z.object({
  unread: z.number().int(),
  /** the notification that changed, when one did */
  notificationId: z.string().nullable(),
});
export type NotificationsChanged = z.infer<typeof notificationsChangedSchema>;

/**
 * A webhook URL as the store keeps it: http or https only, no user name or password in it.
 * Returns the reason it is refused, or null.
 */
export function webhookUrlProblem(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a URL';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    return `must be an http or https URL (got "${parsed.protocol.replace(/:$/, '')}")`;
  if (parsed.username !== '' || parsed.password !== '') return 'must not carry a user name or password';
  if (parsed.hostname === '') return 'has no host';
  return null;
}

export const webhookInputSchema = z.object({
  /** absent: read the setting; present: replace it */
  setting: webhookSettingSchema
    .refine((s) => !s.enabled || s.url !== null, { message: 'an enabled webhook needs a URL', path: ['url'] })
    .superRefine((s, ctx) => {
      const problem = s.url === null ? null : webhookUrlProblem(s.url);
      if (problem !== null) ctx.addIssue({ code: 'custom', message: `the webhook URL ${problem}`, path: ['url'] });
    })
    .optional(),
});

export const webhookTestResultSchema = z.object({
  delivered: z.boolean(),
  attempt: deliveryAttemptSchema,
});
export type WebhookTestResult = z.infer<typeof webhookTestResultSchema>;
