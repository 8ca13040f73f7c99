package ai.aicrypto.plaza.bounty.internal;

import java.math.BigDecimal;
import java.util.Optional;

import ai.aicrypto.plaza.account.Accounts;
import ai.aicrypto.plaza.catalog.Catalog;
import ai.aicrypto.plaza.chain.ChainLog;
import ai.aicrypto.plaza.chain.ChainLogQuarantine;
import ai.aicrypto.plaza.market.DeliveredLicenses;
import ai.aicrypto.plaza.platform.NotFoundException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.stereotype.Component;

/**
 * The one writer of a request's money states, and of a commission submission's on-chain offer, from confirmed
 * BountyEscrow logs. The escrow keys bounties by
 * (requester wallet, id): a request is funded only by a BountyOpened of a wallet linked to its requester, for its exact
 * amount and deadline; every later log must name that wallet. A log of anyone else under a plaza id, or one that does
 * not match, is quarantined and changes nothing (its sender gets the money back by a refund after the deadline). Each
 * handler is idempotent (a redelivered log changes nothing), and a reorganisation that drops a log undoes what it did.
 */
@Component
class BountyLogs {

    private static final Logger log = LoggerFactory.getLogger(BountyLogs.class);

    private final JdbcClient jdbc;
    private final BountyService bounties;
    private final Accounts accounts;
    private final Catalog catalog;
    private final DeliveredLicenses licenses;
    private final ChainLogQuarantine quarantine;

    BountyLogs(JdbcClient jdbc, BountyService bounties, Accounts accounts, Catalog catalog, DeliveredLicenses licenses,
               ChainLogQuarantine quarantine) {
        this.jdbc = jdbc;
        this.bounties = bounties;
        this.accounts = accounts;
        this.catalog = catalog;
        this.licenses = licenses;
        this.quarantine = quarantine;
    }

    @ApplicationModuleListener
    void on(ChainLog.BountyOpened opened) {
        Optional<Bounty> found = request(opened.bountyId());
        if (found.isEmpty()) {
            quarantine.add(opened, "no data request " + opened.bountyId() + " here");
            return;
        }
        Bounty b = found.get();
        if (!accounts.wallets(b.requesterId()).contains(opened.requester())) {
            quarantine.add(opened, "funded from " + opened.requester() + ", a wallet not linked to the requester; the "
                    + "request is not affected");
            return;
        }
        if (!opened.amount().equals(b.bountyWei()) || opened.deadline() != b.deadline().getEpochSecond()) {
            quarantine.add(opened, "the amount or deadline is not the request's; refundable to its sender after its deadline");
            return;
        }
        int funded = jdbc.sql("""
                        UPDATE bounties SET status = 'FUNDED', requester_wallet = ?, funded_tx = ?, funded_log = ?
                        WHERE id = ? AND status = 'AWAITING_FUNDING'""")
                .params(opened.requester(), opened.txHash(), opened.logIndex(), b.id()).update();
        if (funded == 0 && !opened.txHash().equalsIgnoreCase(fundedTx(b.id()))) {
            quarantine.add(opened, "a second bounty for request " + b.id() + "; refundable to its sender after its deadline");
        }
    }

    /**
     * A developer's wallet offered their model's token to a commission: the scored submission of that model becomes
     * acceptable, naming the wallet the escrow will pay. Changes nothing (quarantined) for a bounty the plaza did not
     * accept this funding for, a data request, a wallet not linked to a member, or a token the plaza scored for no
     * submission of that member to this commission.
     */
    @ApplicationModuleListener
    void on(ChainLog.AssetSubmitted submitted) {
        if (!ours(submitted, submitted.bountyId(), submitted.requester())) {
            return;
        }
        if (!bounties.find(submitted.bountyId()).commission()) {
            quarantine.add(submitted, "request " + submitted.bountyId() + " is a data request, not a commission");
            return;
        }
        Long creator = accounts.accountOfWallet(submitted.creator()).orElse(null);
        int marked = creator == null ? 0 : jdbc.sql("""
                        UPDATE commission_submissions SET creator_wallet = ?, submitted_tx = ?, submitted_log = ?
                        WHERE bounty_id = ? AND model_id = ? AND creator_id = ? AND submitted_tx IS NULL AND status = 'SCORED'""")
                .params(submitted.creator(), submitted.txHash(), submitted.logIndex(), submitted.bountyId(),
                        submitted.assetId(), creator).update();
        boolean known = marked == 1 || jdbc.sql("""
                        SELECT EXISTS (SELECT 1 FROM commission_submissions WHERE submitted_tx = ? AND submitted_log = ?)""")
                .params(submitted.txHash(), submitted.logIndex()).query(Boolean.class).single();
        if (!known) {
            quarantine.add(submitted, "asset " + submitted.assetId() + " of " + submitted.creator()
                    + " is no scored submission of commission " + submitted.bountyId() + " (or it was offered before)");
        }
    }

    /**
     * The requester paid a creator: the request is closed. For a data request the creator's submitted dataset is
     * published on the request's terms and licensed to the requester; for a commission the accepted model is the one
     * whose token the log names, submitted from the wallet paid (its token moved to the requester in the same
     * transaction: the ownership follows from the Transfer log). A payment to a wallet that submitted nothing closes the
     * request all the same (the money is gone) and publishes nothing.
     */
    @ApplicationModuleListener
    void on(ChainLog.BountyAccepted accepted) {
        if (!ours(accepted, accepted.bountyId(), accepted.requester())) {
            return;
        }
        Bounty b = bounties.find(accepted.bountyId());
        Long listing = b.commission()
                ? jdbc.sql("SELECT model_id FROM commission_submissions WHERE bounty_id = ? AND model_id = ? AND creator_wallet = ?")
                        .params(b.id(), accepted.assetId(), accepted.creator()).query(Long.class).optional().orElse(null)
                : accounts.accountOfWallet(accepted.creator())
                        .flatMap(creator -> jdbc.sql("SELECT listing_id FROM bounty_submissions WHERE bounty_id = ? AND creator_id = ?")
                                .params(b.id(), creator).query(Long.class).optional())
                        .orElse(null);
        int closed = jdbc.sql("""
                        UPDATE bounties SET status = 'ACCEPTED', creator_wallet = ?, accepted_listing = ?, paid_wei = ?, fee_wei = ?,
                                            closed_tx = ?, closed_log = ?, closed_at = now()
                        WHERE id = ? AND status = 'FUNDED'""")
                .params(accepted.creator(), listing, new BigDecimal(accepted.amount().subtract(accepted.fee())),
                        new BigDecimal(accepted.fee()), accepted.txHash(), accepted.logIndex(), b.id())
                .update();
        if (closed == 1 && listing != null && !b.commission()) {
            catalog.publishOnTerms(listing, b.license(), b.priceAic());
            licenses.grant(b.requesterId(), listing);
        }
    }

    @ApplicationModuleListener
    void on(ChainLog.BountyRefunded refunded) {
        if (ours(refunded, refunded.bountyId(), refunded.requester())) {
            jdbc.sql("""
                            UPDATE bounties SET status = 'REFUNDED', closed_tx = ?, closed_log = ?, closed_at = now()
                            WHERE id = ? AND status = 'FUNDED'""")
                    .params(refunded.txHash(), refunded.logIndex(), refunded.bountyId()).update();
        }
    }

    /**
     * A reorganisation dropped a log: a dropped funding makes the request await its funding again (whatever followed
     * it was mined after it, so is dropped too), a dropped acceptance or refund makes it funded again. A dropped data
     * acceptance also withdraws the requester's license and takes down the listing it published on the request's terms
     * (nobody paid for those terms; its owner may publish it again, on terms of their own). The acceptance mined again
     * publishes it again.
     */
    @ApplicationModuleListener
    void on(ChainLog.Reverted reverted) {
        jdbc.sql("SELECT requester_id, accepted_listing FROM bounties WHERE status = 'ACCEPTED' AND kind = 'DATA' "
                        + "AND accepted_listing IS NOT NULL AND (closed_tx = ? AND closed_log = ? OR funded_tx = ? AND funded_log = ?)")
                .params(reverted.txHash(), reverted.logIndex(), reverted.txHash(), reverted.logIndex())
                .query((rs, n) -> new long[] {rs.getLong(1), rs.getLong(2)}).list()
                .forEach(row -> {
                    licenses.revoke(row[0], row[1]);
                    catalog.unpublishForChain(row[1]);
                });
        int reopened = jdbc.sql("""
                        UPDATE bounties SET status = 'FUNDED', creator_wallet = NULL, accepted_listing = NULL, paid_wei = NULL,
                                            fee_wei = NULL, closed_tx = NULL, closed_log = NULL, closed_at = NULL
                        WHERE closed_tx = ? AND closed_log = ?""")
                .params(reverted.txHash(), reverted.logIndex()).update();
        jdbc.sql("""
                        UPDATE commission_submissions SET creator_wallet = NULL, submitted_tx = NULL, submitted_log = NULL
                        WHERE submitted_tx = ? AND submitted_log = ?""")
                .params(reverted.txHash(), reverted.logIndex()).update();
        int unfunded = jdbc.sql("""
                        UPDATE bounties SET status = 'AWAITING_FUNDING', requester_wallet = NULL, funded_tx = NULL, funded_log = NULL,
                                            creator_wallet = NULL, accepted_listing = NULL, paid_wei = NULL, fee_wei = NULL,
                                            closed_tx = NULL, closed_log = NULL, closed_at = NULL
                        WHERE funded_tx = ? AND funded_log = ?""")
                .params(reverted.txHash(), reverted.logIndex()).update();
        if (reopened + unfunded > 0) {
            log.warn("A chain reorganisation dropped {}#{}: a data request's bounty shown again as {}", reverted.txHash(),
                    reverted.logIndex(), unfunded > 0 ? "awaiting funding" : "open");
        }
    }

    /** Whether a log concerns the bounty the plaza accepted for the request (funded by that wallet); else quarantined. */
    private boolean ours(ChainLog l, long bountyId, String requester) {
        boolean ours = jdbc.sql("SELECT EXISTS (SELECT 1 FROM bounties WHERE id = ? AND requester_wallet = ?)")
                .params(bountyId, requester).query(Boolean.class).single();
        if (!ours) {
            quarantine.add(l, "not the bounty the plaza accepted for request " + bountyId + " (opened by " + requester + ")");
        }
        return ours;
    }

    private Optional<Bounty> request(long id) {
        try {
            return Optional.of(bounties.find(id));
        } catch (NotFoundException e) {
            return Optional.empty();
        }
    }

    private String fundedTx(long id) {
        return jdbc.sql("SELECT funded_tx FROM bounties WHERE id = ?").param(id).query(String.class).optional()
                .map(String::strip).orElse(null);
    }
}
