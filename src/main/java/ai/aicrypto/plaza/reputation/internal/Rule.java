package ai.aicrypto.plaza.reputation.internal;

/** Why a use did not count (the "why" page names it); checked in this order, the first that applies wins. */
enum Rule {
    /** The owner used their own contribution. */
    SELF_USE,
    /** Paid from a wallet linked to no account: it cannot be told apart from the owner's. */
    UNKNOWN_MEMBER,
    /** The paying wallet is one of the owner's, or the wallet that was paid. */
    SHARED_WALLET,
    /** A wallet of the owner sent AIC to the member's itself. */
    FUNDING_LINK,
    /**
     * A wallet of the owner funded the member's through other wallets, within the configured hops. Refused, but no
     * offence: whoever the owner ever paid could fund buyers of the owner's own and get the owner excluded so. An owner
     * who launders through a wallet of their own gains nothing by it either, as the use does not count.
     */
    INDIRECT_FUNDING,
    /**
     * A wallet of the member funded the owner's, directly or through other wallets within the hops, other than by buying
     * from them (a sock puppet the member paid to sell to them). Refused, but no offence of the owner's: anyone may send
     * AIC to an honest owner and then buy from them, and must not get the owner excluded so.
     */
    MEMBER_FUNDED_OWNER,
    /**
     * One wallet funded both the member's and the owner's within the hops. Refused, but no offence of the owner's:
     * anyone may send AIC to the owner's wallet and to buyers of their own, and must not get the owner excluded so.
     */
    COMMON_FUNDER,
    /** The member and the owner used each other's contributions in the same epoch. */
    CIRCULAR_TRADE,
    /** The member and the owner belong to a small closed group that only used each other's contributions. */
    RING,
    /** The owner is a repeat offender, excluded for some epochs. */
    EXCLUDED_OWNER,
    /** The same member used the same contribution the same way before in the epoch: members count once. */
    REPEAT_USE;

    /** Whether it is self-dealing the owner did (or took part in): enough of them make the owner a repeat offender. */
    boolean offence() {
        return switch (this) {
            case SHARED_WALLET, FUNDING_LINK, CIRCULAR_TRADE, RING -> true;
            case SELF_USE, UNKNOWN_MEMBER, INDIRECT_FUNDING, MEMBER_FUNDED_OWNER, COMMON_FUNDER, EXCLUDED_OWNER, REPEAT_USE -> false;
        };
    }
}
