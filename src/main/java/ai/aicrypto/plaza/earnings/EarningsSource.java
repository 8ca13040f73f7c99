package ai.aicrypto.plaza.earnings;

import java.util.List;

/**
 * A module whose records say what members earned. Each reports only what it recorded from confirmed chain logs (and
 * what is owed and not yet paid), so the ledger never decides an amount; a record the source undoes (a
 * reorganisation) is simply no longer reported.
 */
public interface EarningsSource {

    /** Everything {@code userId} earned from this source, paid or pending, in any order. */
    List<Earning> earningsOf(long userId);
}
