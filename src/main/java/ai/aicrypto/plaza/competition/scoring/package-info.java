/**
 * Scoring core of Kaggle-style competitions, pure Java: the {@link ai.aicrypto.plaza.competition.scoring.Metric}s,
 * the hidden answer key ({@link ai.aicrypto.plaza.competition.scoring.Solution}) with its seeded public/private split,
 * validation of predictions CSVs ({@link ai.aicrypto.plaza.competition.scoring.SubmissionValidator}) and scoring
 * ({@link ai.aicrypto.plaza.competition.scoring.Scorer}). Rejections carry message keys from
 * {@code i18n/competition-scoring*.properties}.
 *
 * <p>Private scores never leak by accident: {@link ai.aicrypto.plaza.competition.scoring.Scores} shows only the
 * public score in its accessors and {@code toString()}; the private and overall scores are reachable only through
 * {@link ai.aicrypto.plaza.competition.scoring.Scores#revealPrivate()}, which the app calls after the competition
 * ends.
 *
 * <p>Scoring is synchronous and single-pass; it stops with a {@link java.util.concurrent.CancellationException}
 * when its thread is interrupted, so the app's asynchronous runner can enforce a time limit with
 * {@code Future.cancel(true)}.
 */
@org.springframework.modulith.NamedInterface("scoring")
package ai.aicrypto.plaza.competition.scoring;
