/**
 * What one evaluation of an alert condition says: `firing` (the condition holds), `ok` (it clearly does not),
 * or `hold` (in the band between the two thresholds, or not enough data to judge): the episode stays as it is.
 * Two thresholds keep a value hovering around one of them from opening and closing episodes every minute.
 */
export type AlertLevel = 'firing' | 'ok' | 'hold';
