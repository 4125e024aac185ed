# Kith — español: cuestionarios, alertas de seguridad, planes de seguridad y las páginas del portal.

## Navegación y aviso de alertas
nav-alerts = Alertas
alerts-banner = { $count ->
    [one] Tiene una alerta de seguridad abierta. Por favor, revísela hoy.
   *[other] Tiene { $count } alertas de seguridad abiertas. Por favor, revíselas hoy.
}

## Columnas
col-date = Fecha
col-score = Puntuación
col-band = Nivel
col-item = Ítem
col-answer = Respuesta
col-safety = Seguridad
col-tier = Urgencia
col-reasons = Motivo
col-raised = Generada
col-version = Versión

## Urgencia de una alerta
tier-review = Revisar
tier-alert = Revisar hoy
tier-urgent = Urgente
tier-emergency = Emergencia
risk-urgency-routine = Ordinaria
risk-urgency-urgent = Urgente
risk-urgency-emergency = Emergencia

## Cuestionarios
measures-title = Cuestionarios
measures-all = Todos los cuestionarios e historial
measures-none = Todavía no hay cuestionarios registrados.
measures-over-time = Puntuaciones a lo largo del tiempo
measures-history = Todos los cuestionarios, del más reciente al más antiguo
measure-enter = Registrar un cuestionario
measure-new-title = Registrar un cuestionario
measure-choose = Elija un cuestionario
measure-clinician-rated = lo puntúa el profesional
measure-labels-only = el texto de los ítems requiere la licencia de la clínica; se muestran etiquetas breves
measure-taken-on = Fecha en que se respondió
measure-session = Sesión a la que pertenecen estas respuestas
measure-session-none = Sin sesión concreta
measure-session-option = Sesión { $n } · { $date }
measure-not-applicable = No corresponde
measure-submit = Registrar las respuestas
measure-result-title = Resultado del cuestionario
measure-score = Puntuación
measure-total-of = { $total } de { $max }
measure-baseline-was = { $score } el { $date }
measure-change-title = Cambio desde la primera puntuación
measure-change = { $change } puntos
measure-change-percent = { $change } puntos ({ $percent } % de mejora)
measure-alert = Alerta
measure-alert-raised = Se generó una alerta para los profesionales que atienden a la persona.
measure-open-alert = Abrir la alerta
measure-no-alert = No se generó ninguna alerta.
measure-safety-flag = Una pregunta de seguridad requiere atención
measure-safety-next = Valore hoy el riesgo con la persona y repasen juntos su plan de seguridad.
measure-history-title = Antecedentes ya registrados
measure-history-intro = Una pregunta sobre toda la vida de la persona, respondida igual en otra ocasión: se guarda como antecedente y esta vez no generó ninguna alerta nueva.
measure-item-reversed = Puntúa al revés, como en el formulario en papel: la primera respuesta vale { $first } y la última { $last }. Elija la puntuación impresa junto a la respuesta marcada.
measure-see-safety-plan = Abrir el plan de seguridad
measure-flagged = pregunta de seguridad
measure-answers = Respuestas
measure-diary = El diario de la semana
crisis-resources-title = Recursos de crisis

## Gráficos
chart-title = Puntuaciones de { $instrument }
chart-score-axis = Puntuación
chart-date-axis = Fecha
chart-scores = Puntuaciones
chart-baseline = Primera puntuación
chart-latest = Última
chart-response-line = Línea de respuesta
chart-remission-line = Línea de remisión
chart-events = Acontecimientos vitales
chart-no-data = Todavía no hay puntuaciones
chart-table-caption = Puntuaciones de { $instrument } en tabla

## Lo que sugieren las puntuaciones
findings-title = Lo que sugieren las puntuaciones
findings-hint = Son sugerencias calculadas a partir de las puntuaciones con los criterios de cambio de la clínica, cada una con su motivo. Sirven para sopesarlas junto con todo lo demás que usted sabe; no deciden nada.
finding-response = Respuesta
finding-remission = Remisión
finding-reliable-improvement = Mejoría fiable
finding-reliable-deterioration = Empeoramiento fiable
finding-not-on-track = Evolución por debajo de lo esperado
finding-status-suggested = se sugiere
finding-status-not-suggested = no se sugiere
finding-status-cannot-tell = aún no se puede saber
finding-reason-no-scores = todavía no hay puntuaciones.
finding-reason-only-baseline = por ahora solo hay una primera puntuación.
finding-reason-rule-not-set = la clínica no ha fijado un umbral para esto.
finding-reason-baseline-not-positive = no se puede calcular un porcentaje sobre una primera puntuación de cero.
finding-reason-percent-improvement = mejoría del { $percent } % desde la primera puntuación; el umbral es del { $threshold } %.
finding-reason-latest-score = la última puntuación es { $latest }; el umbral es { $cutoff }.
finding-reason-points-better = { $points } puntos mejor que la primera puntuación; un cambio fiable requiere { $threshold }.
finding-reason-points-worse = { $points } puntos peor que la primera puntuación; un cambio fiable requiere { $threshold }.
finding-reason-points-not-better = no ha mejorado respecto a la primera puntuación; un cambio fiable requiere { $threshold } puntos.
finding-reason-points-not-worse = no ha empeorado respecto a la primera puntuación; un cambio fiable requiere { $threshold } puntos.
finding-reason-no-decision-point = hace falta la sesión de decisión a mitad del tratamiento, que no se conoce para estas puntuaciones.
finding-reason-decision-point-not-reached = todavía no se ha llegado a la sesión de decisión ({ $session }).
finding-reason-no-score-by-decision-point = no hay ninguna puntuación posterior a la primera antes de la sesión { $session }.
cutoff-below = menos de { $value }
cutoff-at-most = { $value } o menos
cutoff-at-least = { $value } o más
cutoff-above = más de { $value }

## El diario de ritmo social
diary-hint = Rellene los días que tenga. Para cada actividad indique la hora, o marque «no lo hice», y quién participó. Los días vacíos no se tienen en cuenta.
diary-day = Día { $n }
diary-date = Fecha
diary-mood = Ánimo ese día
diary-mood-lowest = { $value } (muy bajo)
diary-mood-highest = { $value } (muy alto)
diary-activity = Actividad
diary-time = Hora
diary-not-done = No lo hice
diary-people = Quién participó
diary-people-0 = Solo/a
diary-people-1 = Había otras personas
diary-people-2 = Otras personas participaron activamente
diary-people-3 = Otras personas resultaron muy estimulantes

## Alertas
alerts-title = Alertas de seguridad
alerts-intro = Una alerta sigue abierta hasta que alguien que atiende a la persona la confirma con una nota de lo que se hizo. Primero las más urgentes.
alerts-none = No hay alertas abiertas.
alerts-open-count = { $count ->
    [one] Una alerta abierta
   *[other] { $count } alertas abiertas
}
alerts-admin-counts = Alertas abiertas en esta clínica: { $open }. Pasadas a un supervisor: { $escalated }.
alerts-admin-hint = Solo los profesionales que atienden a la persona y sus supervisores ven de qué trata una alerta.
alert-title = Alerta de seguridad
alert-open = Abrir
alert-escalated = Pasada al supervisor
alert-status-open = Abierta
alert-status-acknowledged = Confirmada
alert-action-note = Qué se hizo
alert-acknowledged-at = { $when }, { $by }
alert-by-you = por usted
alert-by-colleague = por un colega
alert-see-answers = Ver las respuestas
alert-acknowledge-title = Confirmar
alert-acknowledge-hint = Escriba lo que hizo: contacto realizado, valoración del riesgo, revisión del plan de seguridad, más sesiones, derivación o servicios de emergencia. La nota se guarda cifrada con la alerta.
alert-acknowledge-submit = Confirmar la alerta
alert-reason-safety-item = { $instrument }, ítem { $item } ({ $label }): respuesta «{ $answer }» · { $tier }
alert-reason-reliable-deterioration = { $instrument }: { $worsening } puntos peor que la primera puntuación ({ $baseline } → { $latest }); el cambio fiable es de { $threshold } puntos
alert-short-deterioration = { $instrument } · empeoramiento fiable
alert-short-clinician-risk = Nota de sesión · riesgo identificado
alert-reason-clinician-risk = El profesional registró un riesgo identificado en una nota de sesión · urgencia: { $urgency }
alert-risk-text = Lo que escribió el profesional
alert-see-note = Abrir la nota de la sesión
client-open-alerts = Alertas de seguridad abiertas

## Plan de seguridad
plan-title = Plan de seguridad
plan-open = Abrir el plan de seguridad
plan-none = Todavía no se ha escrito un plan de seguridad.
plan-write = Escribir el plan de seguridad con la persona
plan-edit = Actualizar el plan con la persona
plan-edit-title = Plan de seguridad
plan-edit-intro = Escriban el plan juntos, con las palabras de la persona. Cada vez que se guarda se conservan las versiones anteriores. Las filas vacías no se guardan.
plan-save = Guardar esta versión
plan-about = Versión { $version } de { $latest } · { $status } · guardada el { $when }
plan-older-version = Esta es una versión anterior. La más reciente es la versión { $latest }.
plan-see-latest = Ver la versión más reciente
plan-versions = Versiones anteriores
plan-section-empty = Todavía no hay nada escrito aquí.
plan-print-hint = Para imprimir, use la opción de imprimir del navegador; solo se imprimen el plan y los recursos de crisis.
plan-status-draft = Borrador
plan-status-complete = Completo
plan-conflict = Alguien guardó el plan mientras usted escribía. Su texto se conserva abajo; compárelo con la versión guardada entretanto y vuelva a guardar.
plan-conflict-theirs = La versión guardada entretanto
plan-conflict-hint = Si guarda ahora, su texto será la siguiente versión; la de arriba queda en el historial.
plan-section-warning-signs = Señales de que puede estar empezando una crisis
plan-section-internal-coping = Cosas que puedo hacer por mi cuenta para distraerme de mis problemas
plan-section-distractions = Personas y lugares que me ayudan a distraerme
plan-section-help-contacts = Personas a las que puedo pedir ayuda
plan-section-professionals = Profesionales y líneas de crisis a los que puedo llamar
plan-section-environment-safety = Cómo hacer más seguro mi entorno
plan-section-reasons-for-living = Mis razones para vivir
plan-hint-warning-signs = Pensamientos, sentimientos, situaciones o conductas que aparecen antes de que las cosas se pongan muy difíciles.
plan-hint-internal-coping = Cosas para hacer a solas: un paseo, música, una ducha, una rutina conocida.
plan-hint-distractions = Personas con las que estar, o lugares a los que ir, que ayudan.
plan-hint-help-contacts = Familiares o amistades que pueden ayudar cuando las cosas están difíciles.
plan-hint-professionals = Profesionales, servicios y líneas de crisis, con el horario en que se les puede localizar.
plan-hint-environment-safety = Pasos para mantenerse lejos de lo que podría usarse para hacerse daño, y quién ayudará.
plan-hint-reasons-for-living = Lo que más importa; lo que hace que valga la pena vivir.
plan-warning-signs-text = Señal
plan-internal-coping-text = Qué puedo hacer
plan-distractions-text = Persona o lugar
plan-distractions-contact = Cómo localizarla o dónde está
plan-help-contacts-text = Nombre
plan-help-contacts-phone = Teléfono
plan-professionals-text = Profesional o servicio
plan-professionals-phone = Teléfono
plan-professionals-hours = Cuándo se le puede localizar
plan-environment-safety-text = Paso
plan-environment-safety-contact = Quién ayudará
plan-reasons-for-living-text = Razón

## El portal de la persona atendida
portal-plan-title = Mi plan de seguridad
portal-plan-intro = Este es el plan que hizo con su profesional. Está aquí siempre que lo necesite.
portal-plan-saved = Actualizado por última vez el { $date }.
portal-plan-none = Usted y su profesional todavía no han escrito un plan de seguridad. Pueden hacerlo juntos en la próxima sesión.
portal-plan-none-yet = Todavía no ha hecho un plan de seguridad con su profesional. Puede ayudar hacerlo juntos en la próxima sesión.
portal-plan-link-hint = El plan que hizo con su profesional y a quién contactar si las cosas se ponen difíciles.
portal-questionnaires-title = Cuestionarios
portal-questionnaires-intro = Cuestionarios breves sobre cómo se ha sentido. Sus respuestas les ayudan a usted y a su profesional a ver cómo van las cosas.
portal-questionnaire-title = Cuestionario
portal-questionnaire-intro = No hay respuestas correctas ni incorrectas. Elija la que mejor describa su caso.
portal-questionnaire-submit = Enviar mis respuestas
portal-answered-title = Gracias
portal-answered-thanks = Gracias por responder el cuestionario «{ $questionnaire }».
portal-when-seen = Su profesional revisará sus respuestas con usted, normalmente en la próxima sesión o antes. Aquí nadie está pendiente de las respuestas a todas horas, así que si necesita ayuda ahora, use los números de esta página.
portal-support-title = Gracias por contárnoslo
portal-support-intro = Gracias por responder con tanta sinceridad. Esto es lo que nos ha contado:
portal-support-answer = { $question } Su respuesta: «{ $answer }».
portal-support-after = Puede costar poner estas cosas en palabras, y no está solo ni sola con ellas: muchas personas pasan por momentos así, y hay ayuda. Si siente que podría hacerse daño, busque ayuda ahora con los números de abajo.
portal-back-home = Volver a mi atención

## Problemas con las respuestas, los planes de seguridad y las alertas
msg-answer-unknown-item = Este cuestionario no tiene ese ítem.
msg-course-not-of-client = Este tratamiento no es de esta persona.
msg-session-not-of-client = Esta sesión no es de esta persona.
msg-session-not-in-course = Esta sesión pertenece a otro tratamiento.
msg-answer-duplicate = Este ítem se respondió más de una vez.
msg-answer-missing = Elija una respuesta, por favor.
msg-answer-out-of-range = La respuesta { $value } no es posible aquí (de { $min } a { $max }).
msg-answer-not-applicable-not-allowed = «No corresponde» no es una respuesta posible para este ítem.
msg-answer-not-an-integer = La respuesta debe ser un número entero.
msg-answer-no-value = Dé una respuesta, por favor.
msg-answer-value-ambiguous = Este ítem puntúa al revés y no queda claro si esta respuesta es la posición de la opción o la puntuación impresa en el formulario. Indique la puntuación impresa (vuelva a cargar el formulario o envíe «score» en la API).
msg-answer-value-and-score = Indique la puntuación impresa o la posición, no las dos.
msg-answer-value-and-not-applicable = Dé una respuesta o «no corresponde», no las dos cosas.
msg-answer-malformed = No se pudo leer esta respuesta.
msg-answers-all-not-applicable = Hay que responder al menos un ítem.
msg-answers-wrong-kind = Estas respuestas no corresponden a este cuestionario.
msg-answers-too-many = Demasiadas respuestas (como máximo { $max }).
msg-answers-or-diary = Indique las respuestas o el diario.
msg-instrument-unknown = No existe ese cuestionario.
msg-instrument-version-mismatch = Este cuestionario ha cambiado; vuelva a cargar la página.
msg-instrument-clinician-rated = Esta escala la puntúa el profesional.
msg-mode-not-allowed = Esta forma de responder no es posible aquí.
msg-taken-at-in-future = Esta fecha es futura.
msg-taken-at-too-early = Esta fecha es demasiado antigua; las respuestas pueden tener fecha a partir del { $earliest }.
msg-field-not-a-time = Indique fecha y hora (RFC 3339).
msg-field-not-an-id = No es un identificador válido.
msg-diary-empty = Rellene al menos un día.
msg-diary-too-many-days = Como máximo { $max } días.
msg-diary-span-too-long = Los días del { $first } al { $last } abarcan más de una semana.
msg-diary-day-duplicate = Este día aparece dos veces.
msg-diary-day-malformed = No se pudo leer este día.
msg-diary-activity-unknown = El diario no tiene esa actividad.
msg-diary-activity-duplicate = Esta actividad aparece dos veces.
msg-diary-activity-missing = Indique la hora o marque «no lo hice».
msg-diary-activity-malformed = Indique la hora y quién participó, o que no se hizo.
msg-diary-time-invalid = Indique la hora como horas:minutos, por ejemplo 07:30.
msg-diary-time-and-not-done = Indique una hora o «no lo hice», no las dos cosas.
msg-diary-people-missing = Elija quién participó.
msg-diary-people-out-of-range = { $value } no es una de las opciones de quién participó.
msg-diary-mood-missing = Elija el ánimo de este día.
msg-diary-mood-out-of-range = El ánimo { $value } no es posible (de −5 a +5).
msg-alert-already-acknowledged = Esta alerta ya se confirmó.
msg-plan-too-many-entries = Como máximo { $max } entradas en este apartado.
msg-plan-phone-invalid = Un número de teléfono solo puede tener cifras, espacios y + - ( ) .
msg-plan-nothing-filled = Un plan completo necesita al menos una entrada.
