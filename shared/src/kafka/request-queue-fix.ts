// kafkajs 2.2.4, its last release, re-arms a timer on every broker connection forever once the
// connection has answered a request: the timer's delay comes out negative (Node makes it 1 ms)
// and its callback arms the next one (tulios/kafkajs#1556, #1704). Every process with a Kafka
// client woke ~1,700 times a second, idle or not: ~5 % of a core per idle function here, and a
// busy SSE gateway read its fetches hundreds of milliseconds late. The check is only needed
// while requests wait for a slot or for the broker's throttle to pass; this arms it only then.
import RequestQueue from "kafkajs/src/network/requestQueue/index.js";

/** How often waiting requests are looked at when nothing else wakes the queue (kafkajs's own). */
const CHECK_PENDING_MS = 10;

RequestQueue.prototype.scheduleCheckPendingRequests = function scheduleCheck(
  this: RequestQueue,
): void {
  if (this.throttleCheckTimeoutId || this.pending.length === 0) return;
  const throttledFor = this.throttledUntil - Date.now();
  this.throttleCheckTimeoutId = setTimeout(
    () => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    },
    throttledFor > 0 ? throttledFor : CHECK_PENDING_MS,
  );
};
