/**
 * Users, roles and sign-in. Other modules see the signed-in user as an {@link
 * ai.aicrypto.plaza.account.AccountPrincipal} and look up public profile facts through {@link
 * ai.aicrypto.plaza.account.Accounts}.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Accounts")
package ai.aicrypto.plaza.account;
