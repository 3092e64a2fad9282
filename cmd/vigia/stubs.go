package main

import (
	"context"
	"errors"
)

var errNotYet = errors.New("not implemented yet")

func cmdRun(ctx context.Context, e *env) error         { return errNotYet }
func cmdMigrate(ctx context.Context, e *env) error     { return errNotYet }
func cmdReplay(ctx context.Context, e *env) error      { return errNotYet }
func cmdSimulate(ctx context.Context, e *env) error    { return errNotYet }
func cmdCheckConfig(ctx context.Context, e *env) error { return errNotYet }
func cmdVersion(ctx context.Context, e *env) error     { return errNotYet }
