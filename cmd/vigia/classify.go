package main

import "context"

// cmdClassify is implemented by the classifier work.
func cmdClassify(ctx context.Context, e *env) error { return errNotYet }
