package ai.aicrypto.plaza.account.internal;

import java.util.Map;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.chain.WalletChain;
import ai.aicrypto.plaza.platform.UserFacingException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
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
 * The JSON side of wallet sign-in, called by wallet.js: a nonce for this session, then the signed
 * message. Signing in with a wallet while signed in links the wallet to the account.
 */
@RestController
class WalletController {

    private static final String NONCE = WalletController.class.getName() + ".nonce";

    private final WalletSignIn wallets;
    private final WalletChain chain;
    private final MessageSource messages;
    private final SecurityContextRepository contexts = new HttpSessionSecurityContextRepository();

    WalletController(WalletSignIn wallets, WalletChain chain, MessageSource messages) {
        this.wallets = wallets;
        this.chain = chain;
        this.messages = messages;
    }

    @GetMapping("/siwe/nonce")
    Map<String, Object> nonce(HttpSession session) {
        WalletSignIn.IssuedNonce nonce = wallets.newNonce();
        session.setAttribute(NONCE, nonce);
        return Map.of("nonce", nonce.value(), "chainId", chain.chainId(), "chainIdHex", chain.chainIdHex(),
                "chainName", chain.name(), "rpcUrl", chain.rpcUrl());
    }

    @PostMapping("/siwe/verify")
    ResponseEntity<Map<String, String>> verify(@RequestBody SignedMessage signed, @AuthenticationPrincipal AccountPrincipal me,
                                               HttpServletRequest request, HttpServletResponse response) {
        HttpSession session = request.getSession();
        var expected = (WalletSignIn.IssuedNonce) session.getAttribute(NONCE);
        session.removeAttribute(NONCE); // single use, whatever the outcome
        try {
            String address = wallets.verify(signed.message(), signed.signature(), expected);
            AccountPrincipal account = wallets.accountFor(address, me);
            if (me == null) {
                signIn(account, request, response);
            }
            return ResponseEntity.ok(Map.of("address", address, "redirect", me == null ? "/" : "/profile"));
        } catch (UserFacingException e) {
            return ResponseEntity.badRequest().body(Map.of("error",
                    e.localized(messages)));
        }
    }

    /** As form sign-in does it: a new session id, then the security context stored in the session. */
    private void signIn(AccountPrincipal account, HttpServletRequest request, HttpServletResponse response) {
        request.changeSessionId();
        var context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(UsernamePasswordAuthenticationToken.authenticated(account, null, account.getAuthorities()));
        SecurityContextHolder.setContext(context);
        contexts.saveContext(context, request, response);
    }

    record SignedMessage(String message, String signature) {
    }
}
