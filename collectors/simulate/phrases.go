package simulate

// Phrase banks written for Vigía's simulator. Slots in braces are filled by
// fill: {brand} is the brand's @handle, the others are made-up details.

// lang is a language of the simulated customers.
type lang string

const (
	langES lang = "es"
	langEN lang = "en"
)

// bank holds the phrases of one scenario in each language.
type bank map[lang][]string

// phrases returns every bank. It is a function so the banks stay immutable.
func phrases() map[string]bank {
	return map[string]bank{
		"complaint": {
			langES: {
				"{brand} me han cobrado dos veces el mismo recibo y nadie me da una solución",
				"{brand} llevo {days} días sin internet y sigo pagando como si nada",
				"{brand} el pedido {order} no ha llegado y el seguimiento no se mueve desde el lunes",
				"{brand} tercera vez que llamo y me cuelgan. ¿En serio?",
				"{brand} me habéis subido la cuota {amount} € sin avisar",
				"{brand} la app se cierra sola cada vez que intento pagar",
				"{brand} el repartidor dice que no había nadie y yo estaba en casa toda la mañana",
				"{brand} ¿cuánto hay que esperar para que devolváis {amount} €? Ya van {days} semanas",
				"qué desastre de atención al cliente la de {brand}, {hours} horas esperando al teléfono",
				"{brand} sin cobertura en todo {city} desde ayer, ¿qué pasa?",
			},
			langEN: {
				"{brand} my order {order} never arrived and tracking has not moved in {days} days",
				"{brand} you charged me twice for the same bill, please fix this",
				"{brand} no internet for {days} days now and still no technician",
				"{brand} been on hold for {hours} hours, is anyone actually working today?",
				"{brand} the app logs me out every time I try to pay",
				"{brand} why did my plan go up by ${amount} without any notice",
				"{brand} driver marked my parcel as delivered but nothing is here",
				"{brand} still waiting on my refund of ${amount}, it has been {days} weeks",
				"honestly {brand} has the worst support I have dealt with this year",
				"{brand} signal keeps dropping all over {city} since yesterday",
			},
		},
		"question": {
			langES: {
				"{brand} hola, ¿cómo cambio la dirección de entrega del pedido {order}?",
				"{brand} ¿a qué hora abre la tienda de {city}?",
				"{brand} ¿se puede pagar a plazos sin intereses?",
				"{brand} buenas, ¿dónde descargo la factura de este mes?",
				"{brand} ¿tenéis fibra en {city}? Me mudo el mes que viene",
				"{brand} ¿cómo doy de baja la tarjeta antigua?",
			},
			langEN: {
				"{brand} hi, how do I change the delivery address for order {order}?",
				"{brand} do you deliver to {city} on weekends?",
				"{brand} where can I download last month's invoice?",
				"{brand} is there a way to pause my subscription for a month?",
				"{brand} what time does the {city} store open tomorrow?",
				"{brand} quick question: can I add a second line to my plan online?",
			},
		},
		"praise": {
			langES: {
				"{brand} gracias a la chica del chat, me lo solucionó en cinco minutos",
				"muy contenta con {brand}, el pedido llegó antes de lo previsto",
				"{brand} por fin una compañía que contesta rápido 👏",
			},
			langEN: {
				"{brand} shout out to the agent who sorted my bill in minutes, thank you!",
				"parcel arrived a day early, nice one {brand}",
				"{brand} new app update is so much faster, great job",
			},
		},
		"urgent": {
			langES: {
				"{brand} URGENTE: el router echa humo y huele a quemado, ¿qué hago?",
				"{brand} si no me devolvéis el dinero esta semana os denuncio ante consumo y voy a juicio",
				"{brand} me han vaciado la cuenta con cargos que no reconozco, necesito bloquear la tarjeta ya",
				"{brand} hay un cable vuestro colgando en la calle en {city}, es un peligro para los niños",
				"{brand} mi abogado se pondrá en contacto con vosotros, esto es un fraude",
			},
			langEN: {
				"{brand} URGENT: the charger you sold me sparked and melted, this is a fire hazard",
				"{brand} there are transactions on my account I did not make, I need my card blocked now",
				"{brand} I have spoken to my lawyer and will be taking legal action over this",
				"{brand} your engineer left a live cable exposed outside my house in {city}",
				"{brand} my elderly mother has no phone line and relies on her alarm, please help today",
			},
		},
		"troll": {
			langES: {
				"{brand} sois unos inútiles y unos ladrones, ojalá cerréis",
				"{brand} jajaja menuda basura de empresa, dais pena",
				"{brand} el que contesta aquí no tiene ni idea de nada, idiotas",
			},
			langEN: {
				"{brand} you are all clowns, absolute garbage company lol",
				"{brand} imagine being this useless, shut it down",
				"{brand} whoever runs this account is a total idiot",
			},
		},
		"spam": {
			langES: {
				"{brand} 🔥 GANA DINERO DESDE CASA 🔥 500€ al día sin experiencia, entra ya {link}",
				"{brand} iPhone GRATIS para los 100 primeros, solo tienes que registrarte {link}",
			},
			langEN: {
				"{brand} 🚀 Crypto signal group: 10x gains guaranteed, join now {link}",
				"{brand} FREE gift cards for the first 500 followers!!! claim here {link}",
			},
		},
		"outage": {
			langES: {
				"{brand} ¿se ha caído la app? No me deja entrar",
				"{brand} sin servicio en {city} ahora mismo, ¿incidencia?",
				"¿A alguien más le falla {brand}? Todo caído",
				"{brand} error al pagar con tarjeta en todas partes, ¿qué pasa?",
			},
			langEN: {
				"{brand} is the app down? cannot log in at all",
				"{brand} outage in {city}? nothing is working",
				"anyone else having problems with {brand} right now?",
				"{brand} payments failing everywhere, what is going on",
			},
		},
		"followup_unhappy": {
			langES: {"{brand} sigue sin funcionar", "{brand} eso ya lo he probado y nada", "{brand} ¿hola? sigo esperando respuesta"},
			langEN: {"{brand} still not working", "{brand} already tried that, no luck", "{brand} hello? still waiting for an answer"},
		},
		"followup_happy": {
			langES: {"{brand} gracias, ya está", "{brand} perfecto, muchas gracias", "{brand} vale, os escribo por privado"},
			langEN: {"{brand} thanks, that worked", "{brand} sorted now, cheers", "{brand} ok, sending you a DM"},
		},
		"reply": {
			langES: {
				"@{customer} Hola, sentimos las molestias. ¿Nos escribes por privado con tu número de cliente? Lo revisamos.",
				"@{customer} Lamentamos lo ocurrido. Te hemos enviado un mensaje privado para gestionarlo.",
				"@{customer} Gracias por avisarnos. Lo miramos ahora mismo y te decimos algo.",
			},
			langEN: {
				"@{customer} Hi, sorry about this! Could you DM us your account number so we can take a look?",
				"@{customer} We are sorry to hear that. We have sent you a DM to sort it out.",
				"@{customer} Thanks for flagging this, we are looking into it now.",
			},
		},
		"reply_outage": {
			langES: {"@{customer} Estamos teniendo una incidencia general y ya trabajamos en ella. Disculpa las molestias."},
			langEN: {"@{customer} We are aware of an issue affecting some customers and are working on a fix. Sorry for the trouble."},
		},
		"reply_praise": {
			langES: {"@{customer} ¡Muchas gracias! Se lo haremos llegar al equipo 😊"},
			langEN: {"@{customer} Thank you so much, we will pass it on to the team!"},
		},
	}
}

// Name parts for simulated customers.
func firstNames() map[lang][]string {
	return map[lang][]string{
		langES: {"lucia", "mateo", "carmen", "javi", "elena", "pablo", "marta", "diego", "sofia", "alvaro", "nuria", "ivan", "ines", "raul", "paula"},
		langEN: {"emma", "jack", "olivia", "liam", "grace", "noah", "chloe", "ryan", "amelia", "sam", "mia", "ethan", "zoe", "owen", "ruby"},
	}
}

func lastNames() map[lang][]string {
	return map[lang][]string{
		langES: {"garcia", "ruiz", "moreno", "navarro", "torres", "gil", "serrano", "molina", "ortega", "castro"},
		langEN: {"smith", "walker", "hughes", "reed", "parker", "evans", "bennett", "wood", "price", "ward"},
	}
}

func cities() map[lang][]string {
	return map[lang][]string{
		langES: {"Madrid", "Sevilla", "Valencia", "Bilbao", "Zaragoza", "Málaga", "Ciudad de México", "Guadalajara"},
		langEN: {"Leeds", "Bristol", "Manchester", "Dublin", "Austin", "Denver", "Glasgow", "Cardiff"},
	}
}
