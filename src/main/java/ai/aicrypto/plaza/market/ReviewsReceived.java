package ai.aicrypto.plaza.market;

/** The reviews a member's published listings received, in all: what their public profile shows. */
public interface ReviewsReceived {

    ReviewSummary by(long ownerId);

    /** A count of reviews and their stars. */
    record ReviewSummary(int reviews, int starsTotal) {

        /** The plain average of the stars (search's rating is another, pulled toward 3 stars); 0 without reviews. */
        public double average() {
            return reviews == 0 ? 0 : (double) starsTotal / reviews;
        }
    }
}
