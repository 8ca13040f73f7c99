package ai.aicrypto.plaza.chain;

/** The chain's RPC endpoint did not answer or answered with an error; worth retrying later. */
public class ChainUnavailableException extends RuntimeException {

    public ChainUnavailableException(Throwable cause) {
        super("the chain's RPC endpoint failed: " + cause.getMessage(), cause);
    }
}
