# course-sessions: sesiones, resumen previo a la sesión, notas de sesión y notas de proceso,
# hojas de trabajo, finalización y resumen de fin de tratamiento.

crumbs-label = Está aquí
course-closed-note = Este tratamiento está cerrado. Sus registros se pueden seguir consultando.
print-this-page = Imprimir
print-hint = Use la opción Imprimir de su navegador para obtener una copia limpia en A4.

## Sesiones

sessions-title = Sesiones
sessions-block-title = Sesiones
sessions-next = Próxima:
sessions-next-of = Sesión { $number } de { $of }
sessions-brief-link = Resumen previo a la sesión
sessions-none = Todavía no hay sesiones.
sessions-caption = Sesiones de este tratamiento
sessions-col-session = Sesión
sessions-col-when = Cuándo
sessions-col-phase = Fase
sessions-col-status = Estado
sessions-col-note = Nota
sessions-note-link = Nota de la sesión
sessions-manage = Programar o registrar una sesión
sessions-worksheets = Hojas de trabajo y tareas entre sesiones
sessions-measure-link = Registrar un cuestionario de esta sesión
sessions-overdue-count = { $count ->
    [one] una atrasada
   *[other] { $count } atrasadas
}
sessions-due-count = { $count ->
    [one] una para esta semana
   *[other] { $count } para esta semana
}
sessions-termination = Final y revisión
sessions-summary = Resumen de fin de tratamiento
sessions-process-notes = Mis notas de proceso
sessions-raise-ending-now = Kith sugiere hablar del final en la próxima sesión: el protocolo pide hacerlo al menos tres sesiones antes de la última y todavía no consta.
sessions-go-termination = Registrarlo
sessions-ending-late = No consta que se haya hablado del final, aunque el protocolo lo pide como tarde en la sesión { $raise_by } (la última es la { $last }). Kith sugiere hacerlo ahora.
sessions-ending-raised-at = Se habló del final en la sesión { $number }.
sessions-schedule-title = Programar una sesión
sessions-field-at = Fecha y hora
sessions-times-utc = Las horas están en UTC.
sessions-field-status = Esta sesión está
sessions-status-choice-scheduled = prevista (programada)
sessions-status-choice-held = ya realizada
sessions-field-number = Número de sesión
sessions-number-hint = Déjelo en blanco para la siguiente sesión del contrato.
sessions-schedule-submit = Guardar la sesión
session-title = Sesión
session-n = Sesión { $number }
session-pre = Reunión preparatoria
session-facts = Sobre esta sesión
session-status-held = Realizada
session-status-missed = No acudió
session-status-cancelled = Cancelada
session-status-scheduled = Programada
session-reason-client-unwell = El cliente estaba enfermo
session-reason-client-unavailable = El cliente no pudo venir
session-reason-client-did-not-attend = El cliente no vino y no avisó
session-reason-clinician-unavailable = El profesional no pudo estar
session-reason-travel-or-weather = Desplazamiento o mal tiempo
session-reason-crisis-elsewhere = Hubo que atender una crisis en otro lugar
session-reason-other = Otro motivo
session-hold-title = Registrar como realizada
session-field-held-at = Realizada el
session-hold-submit = Registrar como realizada
session-call-off-title = No acudió o cancelada
session-call-off-what = Qué pasó
session-field-reason = Motivo
session-call-off-submit = Guardar
session-tasks-title = Tareas del protocolo hechas en esta sesión
session-tasks-none = Aún no hay tareas del protocolo registradas. Al firmar la nota de la sesión se registra lo que recoge.
session-task-from-note = según la nota, «{ $section }»
session-task-by-hand = marcada a mano
session-tick-legend = Tareas que la nota no recoge: marque las hechas
session-tick-submit = Guardar las marcas
task-raise-ending = Hablar del final

## Resumen previo a la sesión

brief-title = Resumen previo a la sesión
brief-remaining-label = Sesiones restantes
brief-remaining = { $count ->
    [one] queda una sesión del contrato
   *[other] quedan { $count } sesiones del contrato
}
brief-open-ended = Contrato sin número fijo de sesiones
brief-last-label = Última sesión
brief-last-session = { $session }, { $when }
brief-no-session-yet = Todavía no se ha realizado ninguna sesión.
brief-measures-title = Puntuaciones y seguridad
brief-no-measures = Aún no hay cuestionarios registrados en este tratamiento.
brief-col-latest = Última
brief-col-change = Cambio respecto a la anterior
brief-col-safety = Pregunta de seguridad
brief-first-score = primera puntuación
brief-safety-positive = respondida por encima de cero: revisar el riesgo
brief-safety-negative = no señalada
brief-last-note-risk = Riesgo en la nota de la última sesión:
brief-no-risk-check = no consta revisión del riesgo
brief-since-title = Desde la última sesión
brief-done-last = Tareas hechas la última vez
brief-tasks-due = Tareas entre sesiones pendientes
brief-completed = Hojas de trabajo completadas
brief-inventory = Cambios en el inventario interpersonal
brief-person-added = añadida al inventario
brief-person-edited = datos modificados
brief-person-removed = retirada del inventario
brief-events = Nuevos acontecimientos en la línea de tiempo
brief-incidents-later = Los incidentes que el cliente anote en el portal aparecerán aquí cuando ese registro esté disponible.
brief-nothing = Nada.
brief-agenda-title = Esta sesión
brief-required = Tareas de esta fase
brief-task-late = pendiente de una sesión anterior
brief-optional = Tareas opcionales
brief-strategies = Estrategias para el foco
brief-measures-due = Cuestionarios que tocan
brief-decisions = Decisiones pendientes
brief-warning-ending-not-raised = Todavía no se ha hablado del final.
brief-warning-formulation-not-agreed = La formulación todavía no se ha acordado con el cliente.
brief-warning-two-problem-areas = Hay dos áreas problema elegidas; los manuales aconsejan una.
brief-warning-deficits-with-death-near-onset = Se eligió déficits interpersonales, pero hay una muerte cerca del inicio: Kith sugiere valorar un duelo.
brief-warning-beyond-protocol-max = El tratamiento supera el número máximo de sesiones del protocolo.
brief-warning-beyond-contract = La próxima sesión queda fuera del contrato acordado: Kith sugiere renegociarlo de forma explícita.
brief-warning-no-baseline-measure = Falta un cuestionario de línea base: { $missing }.
brief-warning-dispute-stage-missing = No consta la etapa de la disputa de roles.
brief-warning-decision-point-pending = Queda por registrar una decisión que el protocolo programa.

## Notas de sesión

note-title = Nota de sesión
note-state-none = sin empezar
note-state-draft = borrador
note-state-signed = firmada
note-signed-by = Firmada por { $name }, { $when }.
note-integrity-intact = Sin cambios desde que se firmó
note-integrity-tampered = Atención: esta nota ya no coincide con lo que se firmó
note-integrity-draft = Borrador
note-required = necesario para firmar
note-choose = Elija…
note-risk-status = Riesgo
note-risk-actions = Medidas tomadas
note-risk-not-assessed = No se preguntó en esta sesión
note-risk-no-risk-identified = Se preguntó; no se identificó riesgo
note-risk-risk-identified = Se identificó riesgo
note-risk-actions-were = Medidas tomadas: { $actions }
note-risk-recorded = Esta nota recoge un riesgo identificado. Kith lo ha dejado registrado para el profesional; siga el procedimiento de seguridad de su centro y revise el plan de seguridad.
note-mood-range = Valoración de { $min } a { $max }
note-mood-of = { $value } de { $max }
note-no-worksheets = Todavía no hay hojas de trabajo en este tratamiento.
note-nothing-to-choose = No hay nada que elegir.
note-worksheet-suggested = { $title } (sugerida aquí)
note-linked-worksheet = Abrir la hoja de trabajo enlazada
note-save = Guardar borrador
note-save-sign = Guardar y firmar
note-sign-hint = Una nota firmada no se puede cambiar; las correcciones se añaden como adendas.
note-saved-not-signed = El borrador se guardó, pero todavía no se puede firmar:
note-conflict-intro = Esta nota se guardó en otra ventana o pestaña después de que usted la abriera. No se ha perdido nada de lo que escribió: sigue en el formulario de abajo.
note-conflict-title = La versión guardada mientras tanto
note-conflict-other = Guardada por { $name }, { $when }:
note-conflict-yours = Su texto se conserva en el formulario de abajo. Compare las dos versiones y vuelva a guardar para quedarse con la suya.
note-ticks-title = Tareas del protocolo que recoge esta nota
note-ticks-draft = Cuentan como hechas cuando se firma la nota.
note-ticks-signed = Registradas como hechas en esta sesión.
note-addenda-title = Adendas
note-addenda-none = No hay adendas.
note-addendum-field = Añadir una corrección o un añadido
note-addendum-submit = Añadir adenda
note-signoff-title = Visto bueno de supervisión
note-signoff-none = Todavía sin visto bueno.
note-signed-off-by = Visto bueno de { $name }, { $when }
note-signoff-comment = Comentario
note-signoff-submit = Dar el visto bueno

## Notas de proceso

pnote-title = Nota de proceso
pnote-list-title = Mis notas de proceso
pnote-for-session = Mi nota de proceso (privada)
pnote-private = Solo usted puede leer sus notas de proceso. No forman parte de la historia clínica y nunca aparecen en resúmenes, en el portal del cliente ni en exportaciones.
pnote-field = Nota de proceso
pnote-none = No tiene notas de proceso sobre este cliente.
pnote-new = Escribir una nota de proceso
pnote-about-session = Sobre una sesión
pnote-about-client = Sobre el cliente
pnote-saved-at = Guardada por última vez { $when }.

## Hojas de trabajo

ws-list-title = Hojas de trabajo
ws-title = Hoja de trabajo
ws-none = Todavía no hay hojas de trabajo en este tratamiento.
ws-list-caption = Hojas de trabajo y tareas entre sesiones
ws-col-worksheet = Hoja de trabajo
ws-col-due = Fecha límite
ws-task = tarea entre sesiones
ws-status-draft = Borrador
ws-status-complete = Completada
ws-status-reviewed = Revisada
ws-due-on = para el { $date }
ws-overdue-since = atrasada desde el { $date }
ws-start-title = Empezar una hoja de trabajo
ws-field-kind = Hoja de trabajo
ws-suggested = Sugeridas para este foco
ws-all-kinds = Todas las hojas de trabajo
ws-field-session = Sesión a la que pertenece
ws-no-session = Ninguna
ws-field-due = Fecha límite, para proponerla como tarea entre sesiones
ws-due-hint = Déjela en blanco para rellenarla ahora, en la sesión.
ws-field-visibility = Quién puede verla
ws-visibility-shared = El cliente y el equipo clínico
ws-visibility-private = Solo el equipo clínico
ws-start-submit = Empezar
ws-clients-own = trabajo propio del cliente
ws-private = solo el equipo clínico
ws-required = necesario para completarla
ws-choose = Elija…
ws-no-people = Todavía no hay a quién elegir: añada primero personas al inventario interpersonal.
ws-answer-yes = Sí
ws-answer-no = No
ws-answer-unsure = No estoy seguro
ws-entry-n = Entrada { $number }
ws-entry-new = Entrada { $number } (nueva)
ws-more-rows = Las entradas en blanco no se guardan; guarde para tener más entradas en blanco.
ws-comment = Comentario del profesional
ws-save = Guardar
ws-complete = Guardar y marcar como completada
ws-reopen = Volver a abrir como borrador
ws-review-title = Revisión en una sesión
ws-review-session = Revisada en
ws-review-no-session = Una hoja de trabajo se revisa en una sesión realizada.
ws-review-submit = Marcar como revisada
ws-reviewed-at = revisada en la { $session }
ws-conflict = Esta hoja de trabajo se guardó en otro sitio después de que usted la abriera. Sus respuestas se conservan abajo; vuelva a guardar para quedarse con ellas.
ws-whole-worksheet = La hoja de trabajo
ws-path-entry = { $field }, entrada { $number }
ws-person-gone = (ya no está en el inventario)
ws-field-definition-version = Versión de la hoja de trabajo
ws-field-due-on = Fecha límite
ws-field-reviewed-at-session = Revisada en
ws-field-status = Estado
ws-field-clinician-comment = Comentario del profesional
ws-field-updated-at = Último cambio
ws-field-people = Personas
ws-field-goals = Objetivos

## Finalización

term-title = Final y revisión
term-ending-title = Hablar del final
term-used-of = { $used } de { $of } sesiones realizadas.
term-used-open = { $used } sesiones hasta ahora (contrato sin número fijo).
term-ending-at = Se habló del final en la sesión
term-ending-submit = Registrar
term-measures-title = Puntuaciones al inicio y ahora
term-measures-caption = Todos los cuestionarios de este tratamiento: la primera puntuación y la última
term-col-baseline = Al inicio
term-col-now = Ahora
term-col-change = Cambio
term-col-response = Respuesta
term-col-remission = Remisión
term-col-reliable = Cambio fiable
term-not-taken = No se ha pasado en este tratamiento.
term-finding-suggested = sugerida
term-finding-not-suggested = no sugerida
term-finding-cannot-tell = aún no se puede saber
term-reliable-improvement = se sugiere una mejora fiable
term-reliable-deterioration = se sugiere un empeoramiento fiable
term-findings-hint = Son sugerencias según las reglas de cambio del centro (respuesta: una bajada de al menos la mitad desde el inicio; remisión y cambio fiable según las cifras de cada cuestionario). La decisión es del profesional.
term-circle-title = Círculo de cercanía: antes y ahora
term-circle-caption = Desde la instantánea inicial ({ $before }) hasta la más reciente ({ $after }).
term-circle-table = Quién cambió de lugar en el círculo de cercanía
term-circle-missing = El círculo de cercanía se puede comparar cuando hay una instantánea inicial del inventario y otra posterior.
term-circle-empty = No hay nadie en el círculo.
term-col-person = Persona
term-col-before = Antes
term-col-after = Ahora
term-col-what = Cambio
term-ring-1 = Más cerca
term-ring-2 = Cerca
term-ring-3 = Más lejos
term-support = apoyo
term-conflict-none = sin conflicto
term-conflict-low = poco conflicto
term-conflict-moderate = algo de conflicto
term-conflict-high = mucho conflicto
term-status-current = actual
term-status-past = pasada
term-status-deceased = fallecida
term-status-estranged = distanciada
term-change-moved-inward = Más cerca
term-change-moved-outward = Más lejos
term-change-joined = Nueva
term-change-left = Ya no está en el círculo
term-change-unchanged = Mismo lugar
term-goals-title = Objetivos
term-no-goals = No hay objetivos registrados en este tratamiento.
term-goal-status = Cómo está
term-goal-review = Revisión
term-goal-submit = Guardar la revisión
term-goal-active = Todavía en marcha
term-goal-achieved = Conseguido
term-goal-partly = Conseguido en parte
term-goal-not-achieved = No conseguido
term-goal-dropped = Dejado de lado
term-plan-none = Todavía no hay plan de prevención de recaídas.
term-plan-start = Empezar el plan
term-plan-open = Abrir el plan
term-close-title = Cerrar el tratamiento
term-close-hint = Al cerrar se registra cómo terminó el tratamiento. Si el tratamiento no ayudó lo suficiente, es el tratamiento el que se quedó corto, no el cliente.
term-close-outcome = Qué sigue ahora
term-outcome-ended = El tratamiento termina
term-outcome-continuation = Sigue un contrato de continuación
term-outcome-maintenance = Sigue un tratamiento de mantenimiento
term-close-submit = Cerrar el tratamiento
term-closed-with = Tratamiento cerrado: { $outcome }.
term-summary-link = Resumen de fin de tratamiento para imprimir
term-sessions-line = { $held } realizadas, { $missed } sin acudir, { $cancelled } canceladas
term-dates = Del { $from } al { $to }
term-fidelity-share = { $done } de { $expected } tareas obligatorias hechas

## Resumen de fin de tratamiento

summary-title = Resumen de fin de tratamiento
summary-printed-on = Impreso el { $date }
summary-course = El tratamiento
summary-sessions = Sesiones
summary-dates = Fechas
summary-diagnosis = Diagnóstico
summary-focus = Foco
summary-outcome = Siguiente paso
summary-still-open = El tratamiento sigue abierto.
summary-formulation = La formulación, tal como se compartió con el cliente
summary-goal = Objetivo
summary-plan = Plan para mantenerse bien
summary-fidelity = Tareas del protocolo hechas, por fase

## Problemas con lo introducido (value-<código>)

value-conflict = Otra persona guardó un cambio antes. Vuelva a mirar la página y repita su cambio.
value-other = No se pudo guardar ({ $code }).
value-field-required = Esto es necesario.
value-field-unknown = «{ $key }» no forma parte de este formulario.
value-field-wrong-type = Esta respuesta no es del tipo adecuado (se esperaba { $expected }).
value-field-bad-format = Esto no es un valor válido de tipo { $expected }.
value-field-too-long = Es demasiado largo: { $length } caracteres, como mucho { $max }.
value-field-control-characters = Contiene caracteres que no se pueden usar aquí.
value-field-out-of-range = Indique un número entero del { $min } al { $max }.
value-field-unknown-option = «{ $value }» no es ninguna de las opciones.
value-field-duplicate = «{ $value }» aparece dos veces.
value-field-too-few-entries = Añada al menos { $min } { $min ->
    [one] entrada
   *[other] entradas
}.
value-field-too-many-entries = Como mucho { $max } entradas.
value-field-actions-required = Se identificó riesgo: anote las medidas tomadas antes de firmar.
value-field-not-a-datetime = Indique una fecha y una hora.
value-field-not-a-number = Escriba un número entero.
value-field-not-a-date = Escriba una fecha como año-mes-día.
value-worksheet-wrong-definition = La versión de esta hoja de trabajo no es la actual.
value-worksheet-author-not-allowed = Este tipo de hoja de trabajo lo rellena otra persona.
value-worksheet-not-a-task = Esta hoja de trabajo no se puede proponer como tarea entre sesiones.
value-worksheet-client-work-private = Es trabajo propio del cliente, así que no se le puede ocultar.
value-worksheet-updated-before-created = Las fechas de esta hoja de trabajo no encajan entre sí.
value-worksheet-comment = El comentario es demasiado largo o contiene caracteres que no se pueden usar.
value-worksheet-kind-unknown = Kith no tiene ninguna hoja de trabajo de este tipo.
value-worksheet-definition-gone = La versión de esta hoja de trabajo ya no está disponible.
value-worksheet-status-move = Una hoja de trabajo no puede pasar directamente de «{ $from }» a «{ $to }».
value-worksheet-unknown = Esta hoja de trabajo no pertenece a este tratamiento.
value-person-unknown = Esta persona no está en el inventario interpersonal del cliente.
value-goal-unknown = Este objetivo no es uno de los objetivos de este tratamiento.
value-session-unknown = Esta sesión no pertenece a este tratamiento.
value-session-not-held = La nota se puede firmar cuando su sesión conste como realizada.
value-session-status-not-allowed = Este cambio de estado de la sesión no es posible.
value-session-reason-unknown = Elija un motivo.
value-session-already-held = Esta sesión ya consta como realizada.
value-date-in-future = Esta fecha es posterior a hoy.
value-unknown-task = Esta tarea no forma parte del protocolo.
value-note-signed = Esta nota está firmada y ya no se puede cambiar; añada una adenda.
value-note-not-signed = Las adendas se añaden a notas firmadas; esta todavía es un borrador.
value-note-already-signed-off = Esta nota ya tiene el visto bueno.
value-course-closed = Este tratamiento está cerrado.
value-no-pre-session = Este protocolo no tiene reunión preparatoria.
value-section-id-invalid = Esta sección no forma parte de la nota.
value-kind-text = texto
value-kind-integer = un número entero
value-kind-boolean = sí o no
value-kind-list = una lista
value-kind-object = un conjunto de respuestas
value-kind-date = fecha
value-kind-time = hora
value-kind-datetime = fecha y hora
value-kind-person-id = persona del inventario
value-kind-goal-id = objetivo del tratamiento
value-kind-worksheet-id = hoja de trabajo del tratamiento
