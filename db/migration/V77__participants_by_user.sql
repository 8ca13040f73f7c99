-- The competitions a member joined (ParticipantsTrainingGrants: the training datasets they may use in the builder).
CREATE INDEX participants_user ON participants (user_id);
