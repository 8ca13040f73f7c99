package ai.aicrypto.plaza.account.internal;

import java.util.Map;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.chain.WalletChain;
import ai.aicrypto.plaza.platform.UserFacingException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.context.MessageSource;
import org.springframework.http.ResponseEntity;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.security.web.context.SecurityContextRepository;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The JSON side of wallet sign-in, called by wallet.js: a nonce (in a cookie, see {@link SiweNonces}), then the
 * signed message. Signing in with a wallet while signed in links the wallet to the account.
 */
@RestController
class WalletController {

    private final WalletSignIn wallets;
    private final SiweNonces nonces;
    private final SignInReturn returns;
    private final WalletChain chain;
    private final MessageSource messages;
    private final SecurityContextRepository contexts = new HttpSessionSecurityContextRepository();

    WalletController(WalletSignIn wallets, SiweNonces nonces, SignInReturn returns, WalletChain chain, MessageSource messages) {
        this.wallets = wallets;
        this.nonces = nonces;
        this.returns = returns;
        this.chain = chain;
        this.messages = messages;
    }

    @GetMapping("/siwe/nonce")
    Map<String, Object> nonce(HttpServletResponse response) {
        SiweNonces.Nonce nonce = nonces.issue(response);
        return Map.of("nonce", nonce.value(), "chainId", chain.chainId(), "chainIdHex", chain.chainIdHex(),
                "chainName", chain.name(), "rpcUrl", chain.rpcUrl());
    }

    @PostMapping("/siwe/verify")
    ResponseEntity<Map<String, String>> verify(@RequestBody SignedMessage signed, @AuthenticationPrincipal AccountPrincipal me,
                                               HttpServletRequest request, HttpServletResponse response) {
        SiweNonces.Nonce expected = nonces.take(request, response);
        try {
            String address = wallets.verify(signed.message(), signed.signature(), expected);
            AccountPrincipal account = wallets.accountFor(address, me);
            if (me != null) {
                return ResponseEntity.ok(Map.of("address", address, "redirect", "/profile"));
            }
            signIn(account, request, response);
            return ResponseEntity.ok(Map.of("address", address, "redirect", returns.pathAfterSignIn(request, response)));
        } catch (UserFacingException e) {
            return ResponseEntity.badRequest().body(Map.of("error",
                    e.localized(messages)));
        }
    }

    /** As form sign-in does it: a new session id (if there was a session), then the security context stored in one. */
    private void signIn(AccountPrincipal account, HttpServletRequest request, HttpServletResponse response) {
        if (request.getSession(false) != null) {
            request.changeSessionId();
        }
        var context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(UsernamePasswordAuthenticationToken.authenticated(account, null, account.getAuthorities()));
        SecurityContextHolder.setContext(context);
        contexts.saveContext(context, request, response);
    }

    record SignedMessage(String message, String signature) {
    }
}
