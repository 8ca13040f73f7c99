package ai.aicrypto.plaza.chain.internal;

import java.io.IOException;

import ai.aicrypto.plaza.chain.ChainUnavailableException;

/** A JSON-RPC request whose I/O failure means the node cannot be reached now. */
@FunctionalInterface
interface Rpc<T> {

    T run() throws IOException;

    static <T> T call(Rpc<T> rpc) {
        try {
            return rpc.run();
        } catch (IOException e) {
            throw new ChainUnavailableException(e);
        }
    }
}
