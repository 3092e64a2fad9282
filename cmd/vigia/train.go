package main

import "context"

// cmdTrain is implemented by the classifier work.
func cmdTrain(ctx context.Context, e *env) error { return errNotYet }

// cmdEval is implemented by the classifier work.
func cmdEval(ctx context.Context, e *env) error { return errNotYet }
