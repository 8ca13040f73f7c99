package ai.aicrypto.plaza.chain;

/**
 * Where the plaza's chain-sending work runs (minting, settling jobs, paying prizes): one thread of
 * its own, never the scheduler's, so a slow RPC node never holds up the chain watcher, lease expiry
 * or live updates; and one task at a time, so this instance's transactions are sent one by one.
 */
public interface ChainSends {

    /**
     * Runs {@code work} on the chain-sending thread, unless the task of that name is already queued or
     * running (its run will see what this one would have seen).
     */
    void run(String task, Runnable work);
}
