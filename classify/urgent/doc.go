// Package urgent scores whether a message needs a person now. It combines,
// as independent evidence (noisy-OR), the phrases found by the lexicons
// (service outage, safety, legal threats, money lost), brand keywords, a
// complaint from an influencer, and a customer writing again without an
// answer. The phrases themselves are data in classify/lexicon.
package urgent
