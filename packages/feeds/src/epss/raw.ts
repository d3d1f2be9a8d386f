/**
 * FIRST EPSS daily CSV (https://www.first.org/epss/data_stats), plain or
 * gzipped:
 *   #model_version:v2025.03.14,score_date:2025-03-17T12:55:00Z   (optional)
 *   cve,epss,percentile
 *   CVE-1999-0001,0.01141,0.77788
 */
export const EPSS_HEADER = 'cve,epss,percentile';
