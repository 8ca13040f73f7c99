package ai.aicrypto.plaza.serving.internal;

import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;

import ai.aicrypto.plaza.account.Accounts;
import ai.aicrypto.plaza.chain.Chain;
import ai.aicrypto.plaza.platform.UserFacingException;
import ai.aicrypto.plaza.platform.Aic;
import org.springframework.stereotype.Service;

/**
 * What the member's wallet sends to UsageCredit, prepared here and checked first: a deposit (an EIP-2612 permit for
 * exactly the amount, then depositWithPermit, the flow of wallet.js payWithPermit), a withdrawal request, and the
 * withdrawal the member takes alone once the request's delay has passed. Only wallets linked to the member; the
 * credit itself comes from the confirmed logs ({@link CreditLedger}), never from these steps.
 */
@Service
class CreditWallet {

    /** Long enough to sign in a wallet without hurry; short enough that a stale permit is useless. */
    private static final Duration PERMIT_LIFETIME = Duration.ofMinutes(20);

    private final Chain chain;
    private final CreditLedger ledger;
    private final Accounts accounts;
    private final Clock clock;

    CreditWallet(Chain chain, CreditLedger ledger, Accounts accounts, Clock clock) {
        this.chain = chain;
        this.ledger = ledger;
        this.accounts = accounts;
        this.clock = clock;
    }

    record Permit(String typedData, long deadline) {
    }

    record Call(String to, String data) {
    }

    /** Step 1 of a deposit: the permit the wallet signs, once the wallet, the amount and its AIC balance check out. */
    Permit depositPermit(long userId, String walletAddress, String amountText) {
        requireChain();
        BigInteger amount = Aic.toWei(Aic.parse(amountText, "amount", false));
        String wallet = ownWallet(userId, walletAddress);
        BigInteger balance = chain.aicBalance(wallet);
        if (balance.compareTo(amount) < 0) {
            throw new UserFacingException("amount", "credit.error.insufficient-aic", Aic.format(balance), Aic.format(amount));
        }
        long deadline = clock.instant().plus(PERMIT_LIFETIME).getEpochSecond();
        return new Permit(chain.permitTypedData(wallet, chain.contracts().usageCredit(), amount, deadline), deadline);
    }

    /** Step 2 of a deposit: the depositWithPermit call for the signed permit. */
    Call depositTransaction(String amountText, String permitDeadline, String signature) {
        requireChain();
        BigInteger amount = Aic.toWei(Aic.parse(amountText, "amount", false));
        if (signature == null || !signature.matches("0x[0-9a-fA-F]{130}")) {
            throw new UserFacingException(null, "credit.error.signature");
        }
        long deadline = permitDeadline == null || !permitDeadline.matches("\\d{1,18}") ? 0 : Long.parseLong(permitDeadline);
        if (deadline <= clock.instant().getEpochSecond()) {
            throw new UserFacingException(null, "credit.error.permit-expired");
        }
        return new Call(chain.contracts().usageCredit(), chain.creditDepositWithPermitCall(amount, deadline, signature));
    }

    /** A withdrawal request of at most the wallet's balance in the escrow. */
    Call withdrawalRequest(long userId, String walletAddress, String amountText) {
        requireChain();
        BigInteger amount = Aic.toWei(Aic.parse(amountText, "amount", false));
        String wallet = ownWallet(userId, walletAddress);
        BigInteger balance = chain.creditAccount(wallet).balance();
        if (balance.compareTo(amount) < 0) {
            throw new UserFacingException("amount", "credit.error.withdraw-more-than-balance", Aic.format(balance));
        }
        return new Call(chain.contracts().usageCredit(), chain.creditWithdrawalRequestCall(amount));
    }

    /**
     * The withdrawal without the operator, for a wallet with a request open. Whether its delay has passed is the
     * escrow's to say (block time): the wallet's gas estimate shows the refusal before anything is sent.
     */
    Call withdrawAlone(long userId, String walletAddress) {
        requireChain();
        String wallet = ownWallet(userId, walletAddress);
        Chain.CreditAccount account = chain.creditAccount(wallet);
        if (account.pendingWithdrawal().signum() == 0) {
            throw new UserFacingException(null, "credit.error.no-request");
        }
        return new Call(chain.contracts().usageCredit(), chain.creditWithdrawCall());
    }

    private void requireChain() {
        if (!ledger.enabled()) {
            throw new UserFacingException(null, "credit.error.no-chain");
        }
    }

    private String ownWallet(long userId, String address) {
        if (address == null || !address.matches("0x[0-9a-fA-F]{40}")) {
            throw new UserFacingException(null, "credit.error.no-wallet");
        }
        String lower = address.toLowerCase(Locale.ROOT);
        if (!accounts.wallets(userId).contains(lower)) {
            throw new UserFacingException(null, "credit.error.wallet-not-linked", lower);
        }
        return lower;
    }
}
