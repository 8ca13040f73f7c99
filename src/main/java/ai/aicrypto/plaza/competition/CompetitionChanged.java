package ai.aicrypto.plaza.competition;

/** A competition was created or changed, for search to index it. */
public record CompetitionChanged(long competitionId) {
}
