package ai.aicrypto.plaza.reputation;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Proof of Value epochs and rewards.
 *
 * @param epoch              length of an epoch (weekly by default)
 * @param genesis            when epoch 1 starts (epoch n covers [genesis + (n-1) x epoch, genesis + n x epoch))
 * @param emissionPerEpochAic what each epoch distributes from the Ecosystem Incentive allocation, split by score
 * @param fundingHops        how many AIC transfers apart two wallets may be and still count as linked by funding
 * @param fundingWindow      how far before an epoch's start funding transfers are read
 * @param hubRecipients      a wallet that funded more distinct wallets than this (an exchange, a faucet) links nobody
 * @param operatorWallets    the operator's own wallets (deployer, treasury, ecosystem wallet, faucet): they fund members
 *                           whatever their count, so a transfer from or to one links nobody; a member who funds others
 *                           still does
 * @param ringMax            the largest closed group of accounts using only each other's contributions that counts as a ring
 * @param offenderUses       uses refused for self-dealing in one epoch that make their owner a repeat offender
 * @param exclusionEpochs    epochs a repeat offender's contributions then score zero
 * @param closeInterval      how often the closing job looks for ended epochs
 * @param expireInterval     how often the upkeep looks for published epochs whose claim deadline has passed
 */
@ConfigurationProperties("plaza.rewards")
public record RewardsProperties(Duration epoch, Instant genesis, BigDecimal emissionPerEpochAic, int fundingHops,
                                Duration fundingWindow, int hubRecipients, List<String> operatorWallets, int ringMax,
                                int offenderUses, int exclusionEpochs, Duration closeInterval,
                                Duration expireInterval) {

    public RewardsProperties {
        epoch = epoch == null ? Duration.ofDays(7) : epoch;
        if (epoch.compareTo(Duration.ofMinutes(1)) < 0) {
            throw new IllegalArgumentException("plaza.rewards.epoch must be at least a minute, not " + epoch);
        }
        genesis = genesis == null ? Instant.parse("2026-01-05T00:00:00Z") : genesis; // a Monday
        emissionPerEpochAic = emissionPerEpochAic == null ? new BigDecimal("1000000") : emissionPerEpochAic;
        if (emissionPerEpochAic.signum() < 0) {
            throw new IllegalArgumentException("plaza.rewards.emission-per-epoch-aic must not be negative");
        }
        fundingHops = fundingHops <= 0 ? 3 : Math.min(fundingHops, 6);
        fundingWindow = fundingWindow == null ? Duration.ofDays(90) : fundingWindow;
        hubRecipients = hubRecipients <= 0 ? 20 : hubRecipients;
        operatorWallets = operatorWallets == null ? List.of() : operatorWallets.stream().map(String::strip)
                .filter(w -> !w.isEmpty()).map(RewardsProperties::address).toList();
        ringMax = ringMax <= 0 ? 5 : ringMax;
        offenderUses = offenderUses <= 0 ? 2 : offenderUses;
        exclusionEpochs = exclusionEpochs <= 0 ? 4 : exclusionEpochs;
        closeInterval = closeInterval == null ? Duration.ofMinutes(1) : closeInterval;
        expireInterval = expireInterval == null ? Duration.ofHours(1) : expireInterval;
    }

    private static String address(String wallet) {
        if (!wallet.matches("0x[0-9a-fA-F]{40}")) {
            throw new IllegalArgumentException("plaza.rewards.operator-wallets must list addresses (0x and 40 hex digits), not " + wallet);
        }
        return wallet.toLowerCase(Locale.ROOT);
    }

    /** The epoch that contains {@code t} (0 before genesis). */
    public long epochAt(Instant t) {
        if (t.isBefore(genesis)) {
            return 0;
        }
        return Duration.between(genesis, t).dividedBy(epoch) + 1;
    }

    public Instant startOf(long n) {
        return genesis.plus(epoch.multipliedBy(n - 1));
    }

    public Instant endOf(long n) {
        return genesis.plus(epoch.multipliedBy(n));
    }
}
