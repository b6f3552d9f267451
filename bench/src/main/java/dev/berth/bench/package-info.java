/** The benchmark harness: store, API, scheduler, pod start, proxy. */
package dev.berth.bench;
