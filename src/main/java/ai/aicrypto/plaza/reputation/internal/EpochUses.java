package ai.aicrypto.plaza.reputation.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import ai.aicrypto.plaza.competition.Competitions;
import ai.aicrypto.plaza.compute.TrainingRecords;
import ai.aicrypto.plaza.market.PaidLicenses;
import ai.aicrypto.plaza.model.Models;
import ai.aicrypto.plaza.reputation.internal.Use.ContributionType;
import ai.aicrypto.plaza.reputation.internal.Use.UseKind;
import org.springframework.stereotype.Component;

/**
 * The real use of an epoch, from the modules that record it: licenses bought on-chain, calls of a
 * model by its licensees, verified training jobs (crediting the dataset, the base model it was
 * trained from, the trained model it was fine-tuned from, and the GPU offer that trained it) and scored competition entries (crediting the host).
 * Free licenses and free-quota calls cost nothing to fake, so they are not counted. Each paid use carries the wallet
 * that paid, as the chain decided it: a license's buyer (the purchase log); calls' credit account (each charged call
 * records the wallet whose UsageCredit deposit paid it, so no guess among a member's depositing wallets is needed;
 * calls paid from two such wallets are two uses, each wallet weighed, the second a repeat use when both are clean); a
 * job's JobEscrow depositor (the JobFunded log; none for a training pool's job, which its host sponsored). Only a
 * license names the wallet paid: calls are settled to the owner's linked wallet in a later batch, a job's provider to
 * theirs, and the rules weigh the owner's linked wallets anyway.
 */
@Component
class EpochUses {

    private final PaidLicenses licenses;
    private final Models models;
    private final TrainingRecords training;
    private final Competitions competitions;

    EpochUses(PaidLicenses licenses, Models models, TrainingRecords training, Competitions competitions) {
        this.licenses = licenses;
        this.models = models;
        this.training = training;
        this.competitions = competitions;
    }

    List<Use> between(Instant from, Instant to) {
        List<Use> uses = new ArrayList<>();
        for (var l : licenses.grantedBetween(from, to)) {
            uses.add(new Use(UseKind.LICENSE, ContributionType.LISTING, l.listingId(), l.ownerId(), l.buyerId(), l.buyerWallet(),
                    l.sellerWallet(), l.txHash(), l.grantedAt()));
        }
        for (var c : models.licenseeCallsBetween(from, to)) {
            uses.add(new Use(UseKind.LICENSEE_CALLS, ContributionType.LISTING, c.modelId(), c.ownerId(), c.callerId(),
                    c.payingWallet(), null, c.calls() + " calls", c.lastAt()));
        }
        for (var t : training.verifiedBetween(from, to)) {
            String job = "job " + t.jobId(), paid = t.payingWallet();
            uses.add(new Use(UseKind.TRAINING_DATA, ContributionType.LISTING, t.datasetId(), t.datasetOwnerId(), t.requesterId(),
                    paid, null, job, t.at()));
            uses.add(new Use(UseKind.BASE_MODEL, ContributionType.LISTING, t.baseModelId(), t.baseModelOwnerId(), t.requesterId(),
                    paid, null, job, t.at()));
            uses.add(new Use(UseKind.GPU_WORK, ContributionType.GPU_OFFER, t.offerId(), t.providerId(), t.requesterId(), paid, null,
                    job, t.at()));
            if (t.parentModelId() != null) {
                uses.add(new Use(UseKind.PARENT_MODEL, ContributionType.LISTING, t.parentModelId(), t.parentModelOwnerId(),
                        t.requesterId(), paid, null, job, t.at()));
            }
        }
        for (var e : competitions.entrantsBetween(from, to)) {
            uses.add(new Use(UseKind.COMPETITION_ENTRY, ContributionType.COMPETITION, e.competitionId(), e.hostId(), e.userId(),
                    null, null, "entry", e.lastScoredAt()));
            if (e.datasetId() != null) {
                uses.add(new Use(UseKind.COMPETITION_DATA, ContributionType.LISTING, e.datasetId(), e.datasetOwnerId(), e.userId(),
                        null, null, "competition " + e.competitionId(), e.lastScoredAt()));
            }
        }
        uses.sort(Comparator.comparing(Use::at));
        return uses;
    }
}
