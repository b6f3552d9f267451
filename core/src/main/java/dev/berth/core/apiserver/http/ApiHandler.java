package dev.berth.core.apiserver.http;

/** Answers one request. Runs on a virtual thread: blocking is fine. Never throws for client input. */
@FunctionalInterface
public interface ApiHandler {
    ApiResponse handle(ApiRequest request);
}
