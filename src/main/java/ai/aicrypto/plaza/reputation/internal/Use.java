package ai.aicrypto.plaza.reputation.internal;

import java.time.Instant;

/**
 * One use of a contribution in an epoch, as the owning modules recorded it.
 *
 * @param userId       the member who used it (null: a wallet linked to no account)
 * @param payingWallet the wallet that paid, from the chain's log: a license's buyer, the credit account charged for
 *                     calls, a job's JobEscrow depositor (null: nothing paid from a wallet, as a competition entry)
 * @param payeeWallet  the wallet that was paid (the owner's payout address), for license purchases (else null)
 * @param ref          what identifies the use: a transaction hash, a job id, ...
 */
record Use(UseKind kind, ContributionType type, long contributionId, long ownerId, Long userId, String payingWallet,
           String payeeWallet, String ref, Instant at) {

    enum ContributionType { LISTING, GPU_OFFER, COMPETITION }

    /** What a use is, and the points it adds when it counts (per member, contribution and kind, once an epoch). */
    enum UseKind {
        LICENSE(1000), LICENSEE_CALLS(500), TRAINING_DATA(1000), BASE_MODEL(1000), GPU_WORK(1000), COMPETITION_ENTRY(500),
        /** The trained model a fine-tuning job started from: its weights are part of what the new model is. */
        PARENT_MODEL(1000),
        /** A scored entry in a competition hosted on the dataset: the entrant worked with its data. */
        COMPETITION_DATA(500);

        final int points;

        UseKind(int points) {
            this.points = points;
        }
    }
}
