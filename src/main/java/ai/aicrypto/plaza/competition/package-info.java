/**
 * Kaggle-style competitions: hosting (hidden solution stored encrypted, seeded public/private split), teams,
 * submissions through the browser or the API, asynchronous scoring with a time limit, and the public and final
 * leaderboards. The scoring core is the named interface {@code competition.scoring}.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Competitions")
package ai.aicrypto.plaza.competition;
