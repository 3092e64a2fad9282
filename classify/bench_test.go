package classify_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigia-dev/vigia/classify"
	"github.com/vigia-dev/vigia/classify/text"
	"github.com/vigia-dev/vigia/internal/message"
)

// tweets are typical tweet-length customer messages, mixed Spanish and
// English (written for this benchmark).
var tweets = []string{
	"@MovilCo llevo tres días sin internet en casa y nadie me da una solución 😡 https://t.co/a1",
	"@MovilCo my internet has been down since Monday and support keeps hanging up on me",
	"@MovilCo me han cobrado dos veces la factura de este mes, ¿quién me devuelve el dinero?",
	"@MovilCo I was charged twice for the same plan, please fix this asap",
	"@MovilCo gracias por resolverlo tan rápido, el técnico fue muy amable 🙌",
	"@MovilCo thanks for the quick fix, the new router works great!",
	"@MovilCo ¿a qué hora abre la tienda del centro los sábados?",
	"@MovilCo does the unlimited plan include roaming in Mexico?",
	"@MovilCo son unos ladrones, cada mes suben la tarifa sin avisar #MovilCoEstafa",
	"@MovilCo worst company ever, you are a bunch of clowns #fail",
	"Gana dinero desde casa con este método, escríbeme al DM 💰 https://bit.ly/3xyz",
	"free followers and crypto giveaway, dm me now https://tinyurl.com/abc",
	"@MovilCo la app no funciona desde esta mañana, no puedo pagar nada",
	"@MovilCo the app keeps crashing when I try to pay my bill, third time this week",
	"@MovilCo si no me devuelven el dinero voy a poner una queja en PROFECO",
	"@MovilCo if this isn't solved today I'm calling my lawyer",
}

// fillers vary the tweets so that, as in real traffic, distinct customers
// write distinct texts (otherwise every message is a near-duplicate flood).
var fillers = [2][]string{{ // Spanish, English: tweets alternate
	"hoy", "ayer", "otra vez", "por favor", "urgente", "ya", "en serio", "de verdad", "madrid", "cdmx",
	"desde el lunes", "en la oficina", "con mi hijo", "el martes", "cuenta 4", "🙏", "🤬", "#ayuda",
	"sucursal norte", "plan familiar", "fibra", "prepago", "qué pena", "vaya tela", "monterrey",
}, {
	"today", "again", "please", "seriously", "asap", "london", "lol", "ugh", "finally", "since monday",
	"at home", "with my kids", "on tuesday", "account 7", "👍", "😂", "#help", "north branch",
	"family plan", "fiber", "prepaid", "so annoying", "come on", "chicago", "for real",
}}

// benchModels returns the embedded models; tasks and languages without one
// get a stand-in of the same shape, trained on a few examples, so that the
// benchmark always pays for every model.
func benchModels(b *testing.B) *text.Models {
	b.Helper()
	embedded, err := text.LoadEmbedded()
	require.NoError(b, err)
	bits := uint8(18) // the stand-ins take the embedded models' shape
	for _, m := range embedded.List() {
		bits = m.Bits
	}
	var ms []*text.Model
	for _, task := range text.Tasks() {
		for _, lang := range []string{"es", "en"} {
			if m, ok := embedded.Model(task, lang); ok && m.Lang == lang {
				ms = append(ms, m)
				continue
			}
			cfg := text.TrainConfig{Bits: bits, Classes: 1, Lambda: 1e-4, MaxIter: 5, Workers: 1}
			if task == text.TaskSentiment {
				cfg.Classes = 3
			}
			var ex []text.Example
			for i, s := range tweets {
				ex = append(ex, text.Example{Doc: text.Analyze(s), Label: i % max(cfg.Classes, 2)})
			}
			m, err := text.Train(context.Background(), task, lang, ex, cfg)
			require.NoError(b, err)
			ms = append(ms, m)
		}
	}
	return text.NewModels(ms...)
}

// benchMessages returns n tweet-length inbound messages from 1,500 authors
// with follower counts spread log-uniformly from 1 to 10^6. With distinct,
// each message draws its three filler words at random, so that, as in real
// traffic, distinct customers write distinct texts; otherwise the fillers
// cycle with the message index and only 400 texts recur, each posted by
// several authors within the spam window (a near-duplicate flood in which
// every message is spam, the benchmark's data before November 2026).
func benchMessages(n int, distinct bool) []message.Message {
	rng := rand.New(rand.NewPCG(7, 11))
	msgs := make([]message.Message, n)
	for i := range msgs {
		fill := fillers[i%2]
		a, b, c := i*7, i*13, i*31
		if distinct {
			a, b, c = rng.IntN(len(fill)), rng.IntN(len(fill)), rng.IntN(len(fill))
		}
		msgs[i] = message.Message{
			ID: message.NewID(message.ChannelX, fmt.Sprint(i)), Brand: "movilco", Channel: message.ChannelX,
			Kind: message.KindMention, Direction: message.DirectionInbound,
			Author: message.Author{ID: fmt.Sprint("u", i%1500), Handle: fmt.Sprint("user", i%1500),
				Followers: int64(math.Pow(10, float64(i*37%600)/100)), Following: 300},
			Text: tweets[i%len(tweets)] + " " + fill[a%len(fill)] + " " + fill[b%len(fill)] + " " + fill[c%len(fill)],
		}
	}
	return msgs
}

// BenchmarkClassify measures end-to-end classification of tweet-length
// texts, 150 ms of message time apart; run it with -run '^$' -cpu 1 so
// heap-MB measures the loaded models, language detector and spam state
// alone. The spam detector's state is allocated in full by New, so heap-MB
// includes it at its bound.
//
// distinct is the realistic mix; repeated400 is a flood of 400 texts
// (see benchMessages).
func BenchmarkClassify(b *testing.B) {
	for _, bc := range []struct {
		name     string
		distinct bool
	}{{"distinct", true}, {"repeated400", false}} {
		b.Run(bc.name, func(b *testing.B) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			models := benchModels(b)
			c, err := classify.New(classify.DefaultConfig(), models, nil)
			require.NoError(b, err)
			runtime.GC()
			runtime.ReadMemStats(&after)
			runClassify(b, c, benchMessages(4096, bc.distinct))
			b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/(1<<20), "heap-MB")
		})
	}
}

// BenchmarkClassifySignals is BenchmarkClassify/distinct without text
// models: text.Analyze, language, lexicons, spam, influence, urgent and the
// reasons, i.e. everything but the models' Predict.
func BenchmarkClassifySignals(b *testing.B) {
	c, err := classify.New(classify.DefaultConfig(), nil, nil)
	require.NoError(b, err)
	runClassify(b, c, benchMessages(4096, true))
}

func runClassify(b *testing.B, c *classify.Classifier, msgs []message.Message) {
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		m := msgs[i%len(msgs)]
		m.CreatedAt = t0.Add(time.Duration(i) * 150 * time.Millisecond) // time moves on as messages recur
		if _, err := c.Classify(ctx, m, classify.Input{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// heapMB returns the live heap in MB after a full collection.
func heapMB() float64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return float64(ms.HeapAlloc) / (1 << 20)
}

// BenchmarkMemory reports the memory the classifier keeps, measured as the
// live heap after a collection before and after each part is loaded: the
// embedded text models, then the classifier itself (lexicons and matchers,
// lingua's low-accuracy models, and the spam detector's state, which New
// allocates at its bound), then after classifying 200,000 messages from
// 150,000 authors (state must not grow). Run it alone:
//
//	go test -run '^$' -bench Memory -benchtime 1x ./classify/
func BenchmarkMemory(b *testing.B) {
	for b.Loop() {
		base := heapMB()
		models, err := text.LoadEmbedded()
		require.NoError(b, err)
		withModels := heapMB()
		c, err := classify.New(classify.DefaultConfig(), models, nil)
		require.NoError(b, err)
		loaded := heapMB()
		msgs := benchMessages(4096, true)
		t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
		for i := range 200_000 {
			m := msgs[i%len(msgs)]
			m.Author.ID = fmt.Sprint("a", i%150_000)
			m.CreatedAt = t0.Add(time.Duration(i) * time.Millisecond)
			_, err := c.Classify(context.Background(), m, classify.Input{})
			require.NoError(b, err)
		}
		msgs = nil
		after := heapMB()
		b.ReportMetric(withModels-base, "models-MB")
		b.ReportMetric(loaded-withModels, "classifier-MB")
		b.ReportMetric(after-loaded, "growth-MB")
		b.ReportMetric(after-base, "total-MB")
		runtime.KeepAlive(c)
		runtime.KeepAlive(models)
	}
}
