package ai.aicrypto.plaza.chain;

/**
 * Where the plaza's chain-sending work runs (minting, settling jobs, paying prizes): one thread of
 * its own, never the scheduler's, so a slow RPC node never holds up the chain watcher, lease expiry
 * or live updates; one task at a time, so this instance's transactions are sent one by one; and under
 * a lease of the task's name in the database, so that of all the instances sharing the database one
 * runs the task at a time. Event listeners never send: they ask for a task here.
 */
public interface ChainSends {

    /**
     * Runs {@code work} on the chain-sending thread, unless the task of that name is already waiting to
     * run here (its run will see what this one would have seen; a task asked for while it runs runs once
     * more), or another instance holds its lease (that instance's run, or its next, will).
     */
    void run(String task, Runnable work);
}
