/**
 * The order of vulnerability ids in aliases and advisory lists: CVE ids first,
 * by year and then number, both compared as numbers (CVE-2023-999 before
 * CVE-2023-1000, CVE-2022-5 before both); then every other id (XSA-182,
 * RHSA-2022:5527, UBUNTU-CVE-2024-1234), by code unit. Two CVE ids with the
 * same year and number but different spelling (a leading zero) fall back to
 * code unit order, so the order is total and a sort does not depend on the
 * order of its input.
 */

const CVE_ID = /^CVE-(\d{4})-(\d+)$/;

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareIds(a: string, b: string): number {
  const ca = CVE_ID.exec(a);
  const cb = CVE_ID.exec(b);
  if (ca !== null && cb !== null) {
    return Number(ca[1]) - Number(cb[1]) || Number(ca[2]) - Number(cb[2]) || byCodeUnit(a, b);
  }
  if (ca !== null) return -1;
  if (cb !== null) return 1;
  return byCodeUnit(a, b);
}
