package ai.aicrypto.plaza.compute.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;

import jakarta.servlet.http.HttpServletRequest;

/**
 * The network address a worker calls from, as the servlet container sees it (behind a proxy, only with
 * {@code server.forward-headers-strategy} set). A loopback address tells nothing apart (a local proxy, or a
 * worker on the plaza's own machine), so it counts as unknown: audits then exclude by provider only.
 *
 * @param distinct the address in text, or null when unknown
 */
record WorkerAddress(String distinct) {

    static WorkerAddress of(HttpServletRequest request) {
        try {
            InetAddress address = InetAddress.getByName(request.getRemoteAddr()); // a literal: no lookup
            return new WorkerAddress(address.isLoopbackAddress() ? null : address.getHostAddress());
        } catch (UnknownHostException | RuntimeException e) {
            return new WorkerAddress(null);
        }
    }
}
