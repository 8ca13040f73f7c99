-- Model families a worker can train (issue 19): what its heartbeat reports, determined on its host from what it can
-- really load (XGBoost's native library, DJL's PyTorch engine, a usable GPU), as an object of the card's architecture
-- template to the engine that trains it, e.g. {"mlp": "gpu", "cnn": "cpu", "gbdt": "xgboost-cpu"}. The queue leases a
-- worker only jobs whose card's template it names; the builder offers only offers whose online workers name it.
-- NULL: the worker never reported (a release before this field); it is taken to train the dense networks every
-- worker release has trained (softmax-regression and mlp) and nothing else (compute.internal.ModelFamilies).
ALTER TABLE workers ADD COLUMN families JSONB;
