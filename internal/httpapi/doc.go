// Package httpapi is Vigía's authenticated JSON API under /api/v1/: the
// silences (list, add, expire), the cases (list, show) and the alert groups
// the dispatcher holds. [New] builds the [Handler]; the app mounts it on
// [Prefix]. Every request needs `Authorization: Bearer <token>`, compared
// in constant time. Every answer is JSON, errors included (an [Error]).
//
// The package declares what it needs where it needs it: [Silences] (a
// *silence.Silencer is one), [CaseReader] and [AlertLister], so that it
// depends on no case store or dispatcher implementation. [Client] is the
// Go client of the same API, used by `vigia silence` and `vigia cases`.
//
// docs/api.md describes the endpoints and their JSON.
package httpapi
