/** A stable id of this browser, sent as StreamContent's device_id. */
export function deviceId(): string {
  const key = "marquee.device";
  let id = localStorage.getItem(key);
  if (!id) {
    id = `web-${crypto.randomUUID()}`;
    localStorage.setItem(key, id);
  }
  return id;
}
