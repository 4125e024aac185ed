# Kith — español. Todas las palabras de la interfaz están en estos archivos.

## Estructura
skip-to-content = Saltar al contenido
nav-main = Principal
nav-clients = Consultantes
nav-protocols = Protocolos
nav-members = Personas
nav-client-directory = Directorio de consultantes
nav-settings = Ajustes del centro
nav-audit = Auditoría
nav-my-care = Mi tratamiento
nav-account = Mi cuenta
sign-out = Cerrar sesión
footer-text = Kith apoya a los profesionales: sugiere, no decide. En una emergencia, llame al número de emergencias de su zona.
idle-warning = Su sesión se cerrará en dos minutos porque no ha habido actividad. Lo que no haya guardado se perderá.
idle-stay = Seguir conectado
idle-ended = Se ha cerrado su sesión por inactividad. Copie el texto sin guardar antes de volver a entrar.
yes = Sí
no = No
save = Guardar
optional = opcional
never = nunca
not-given = No indicado
form-has-errors = Algunas respuestas necesitan revisión. Cada problema aparece junto a su campo.

## Roles
role-clinic-admin = Administración del centro
role-clinician = Profesional
role-supervisor = Supervisión
role-client = Consultante
role-operator = Operación del servidor

## Meses
month-1 = enero
month-2 = febrero
month-3 = marzo
month-4 = abril
month-5 = mayo
month-6 = junio
month-7 = julio
month-8 = agosto
month-9 = septiembre
month-10 = octubre
month-11 = noviembre
month-12 = diciembre

## Campos
field-email = Correo electrónico
field-password = Contraseña
field-new-password = Contraseña nueva
field-current-password = Contraseña actual
field-code = Código de seis cifras
field-recovery-code = Código de recuperación
field-clinic-name = Nombre del centro
field-your-name = Su nombre
field-role = Rol
field-clinic = Centro
field-token-name = Nombre del token
field-crisis-text = Líneas de crisis e instrucciones de emergencia
field-client-mfa = Las personas consultantes también deben usar un segundo factor
field-escalation-minutes = Alertas ordinarias y de revisión en el día: minutos antes de que una sin atender pase a supervisión
field-urgent-escalation-minutes = Alertas urgentes: minutos antes de pasar a supervisión (por defecto 30)
field-emergency-escalation-minutes = Alertas de emergencia: minutos antes de pasar a supervisión (por defecto 0, en el acto)
settings-escalation-legend = Cuándo pasan las alertas a supervisión
settings-escalation-hint = Una alerta que nadie ha cerrado pasa a los supervisores de los profesionales del cliente. Los niveles más graves no pueden esperar más que los leves.
settings-unsupervised-warning = Estos profesionales no tienen supervisor, así que una alerta de sus clientes que nadie atienda no llegaría a nadie más: { $names }.
settings-unsupervised-fix = Asigne un supervisor en la página del personal
field-idle-minutes = Minutos de inactividad antes de cerrar la sesión (1–15)
field-default-language = Idioma predeterminado
field-client-name = Nombre (puede ser un seudónimo)
field-date-of-birth = Fecha de nacimiento
field-contact = Datos de contacto

## Columnas
col-name = Nombre
col-started = Inicio
col-last-seen = Última actividad
col-address = Dirección
col-device = Dispositivo
col-actions = Acciones
col-created = Creado
col-last-used = Último uso
col-status = Estado
col-second-factor = Segundo factor
col-supervisors = Supervisado por
col-clinicians = Profesionales
col-when = Cuándo
col-who = Quién
col-client = Consultante
col-object = Registro
col-action = Acción
col-outcome = Resultado
col-measure = Medida

## Inicio de sesión
login-title = Iniciar sesión
login-submit = Entrar
login-session-ended = Su sesión terminó. Vuelva a iniciar sesión.
login-account-ready = Su cuenta está lista. Inicie sesión.

## Primer arranque
setup-title = Configurar Kith
setup-intro = Este enlace funciona una sola vez. Crea su centro y su cuenta de administración. Justo después configurará un segundo factor.
setup-submit = Crear centro y cuenta
password-hint-staff = Al menos 8 caracteres; una frase de varias palabras es fácil de recordar y difícil de adivinar. No se aceptan contraseñas comunes ni las que contienen su nombre.
password-hint-min = Al menos { $min } caracteres. Una frase de varias palabras funciona bien. No se aceptan contraseñas comunes ni las que contienen su nombre.
password-hint-change = Personal: al menos 8 caracteres; consultantes sin segundo factor: al menos 15. No se aceptan contraseñas comunes ni su propio nombre.

## Invitaciones
invitation-title = Únase a su centro en Kith
invitation-intro = { $clinic } le ha invitado a unirse con el rol { $role }.
invitation-for-email = Esta invitación es para { $email }.
invitation-password-hint = Si es nuevo en Kith, elija una contraseña de al menos { $min } caracteres. Si ya usa Kith con este correo, escriba esa contraseña; su nombre y su cuenta no cambian.
invitation-submit = Aceptar la invitación
invitation-accepted = Aceptada
invitation-revoked = Retirada
invitation-expired = Caducada
invitation-open-until = Abierta hasta el { $date }
invitation-revoke = Retirar
invitations-caption = Invitaciones

## Segundo factor
mfa-title = Escriba su código
mfa-intro = Abra su aplicación de autenticación y escriba el código de seis cifras que muestra para Kith.
mfa-submit = Continuar
mfa-use-recovery = ¿Perdió su teléfono? Use un código de recuperación
mfa-recovery-submit = Usar el código de recuperación
enrol-title = Configure su segundo factor
enrol-intro = El personal confirma cada inicio de sesión con un código de una aplicación de autenticación. Así se protege a las personas que atiende si alguien llegara a robar su contraseña.
enrol-step-app = Instale una aplicación de autenticación en su teléfono si no tiene una (sirve cualquiera que admita códigos TOTP).
enrol-step-scan = En la aplicación, añada una cuenta escaneando este código.
enrol-qr-caption = Código QR para su aplicación de autenticación
enrol-or-type = O escriba esta clave:
enrol-step-code = Escriba el código de seis cifras que muestra ahora la aplicación.
enrol-submit = Confirmar
enrol-start = Empezar la configuración
recovery-codes-title = Sus códigos de recuperación
recovery-codes-intro = Si pierde el teléfono, cada uno de estos códigos le permite entrar una vez. Imprímalos o guárdelos en un gestor de contraseñas.
recovery-codes-once = Solo se muestran ahora.
recovery-codes-continue = Ya los he guardado — continuar

## Cuenta
account-title = Mi cuenta
account-signed-in-as = Sesión iniciada como { $email }
account-clinics = Centros
account-switch-clinic = Cambiar
account-password = Contraseña
account-change-password = Cambiar la contraseña
account-second-factor = Segundo factor
account-second-factor-on = Sus inicios de sesión se confirman con una aplicación de autenticación. Códigos de recuperación sin usar: { $count }.
account-second-factor-off = No ha configurado un segundo factor.
account-second-factor-enrol = Configurarlo ahora
account-second-factor-reset = Usar otra aplicación de autenticación
account-sessions = Dónde tiene la sesión iniciada
session-this-one = este navegador
session-sign-out = Cerrar
account-tokens = Tokens de la API
account-tokens-intro = Un token permite a un programa usar la API de Kith en su nombre, con sus permisos en este centro. Manténgalo en secreto y revóquelo cuando ya no lo necesite.
account-token-made = Copie este token ahora. No se volverá a mostrar.
account-token-create = Crear token
token-revoked = Revocado
token-revoke = Revocar
account-done-password = Se cambió su contraseña. Se cerraron las demás sesiones.
account-done-password-tokens = Se cambió su contraseña. Se cerraron las demás sesiones y se revocaron sus tokens de la API: los programas que los usaban necesitan uno nuevo.
account-done-saved = Guardado.
reauth-title = Confirme que es usted
reauth-intro = Para este paso, vuelva a escribir su contraseña.
reauth-submit = Confirmar

## Administración del centro
members-title = Personas
members-people = Miembros de este centro
invite-title = Invitar a alguien
invite-link-made = Envíe este enlace a la persona invitada. Funciona una vez, durante siete días.
invite-submit = Crear enlace de invitación
member-disabled = desactivado
member-change-role = Cambiar rol
member-disable = Desactivar
member-enable = Activar
supervision-title = Supervisión
supervision-add = Supervisa a
supervision-remove = Deja de supervisar a
directory-title = Directorio de consultantes
directory-intro = Quién atiende a quién. Aquí no se muestran los registros clínicos.
directory-empty = Todavía no hay consultantes.
assign-add = Asignar
assign-remove = Quitar
settings-title = Ajustes del centro
settings-saved = Ajustes guardados.
crisis-text-hint = Se muestra a las personas consultantes en cada página del portal y junto a cada plan de seguridad. Incluya las líneas de crisis locales, sus horarios y qué hacer en una emergencia.
audit-title = Auditoría
audit-intro = Aquí queda registrado, sin posibilidad de cambio, cada acceso a registros clínicos y cada inicio de sesión.
audit-by-person = Por
audit-anyone = cualquiera
audit-about-client = Sobre consultante
audit-any-client = cualquier consultante
audit-from = Desde
audit-to = Hasta
audit-show = Mostrar
audit-count = { $count ->
    [one] Una entrada
   *[other] { $count } entradas
}
audit-outcome-success = hecho
audit-outcome-denied = rechazado
audit-outcome-failed = fallido
audit-action-create = creó
audit-action-read = consultó
audit-action-update = modificó
audit-action-delete = eliminó
audit-action-print = imprimió
audit-action-export = exportó
audit-action-query = listó
audit-action-login = inició sesión
audit-action-login-failed = inicio de sesión fallido
audit-action-logout = cerró sesión
audit-action-second-factor = segundo factor superado
audit-action-second-factor-failed = segundo factor fallido
audit-action-second-factor-enrolled = segundo factor configurado
audit-action-recovery-code-used = código de recuperación usado
audit-action-password-changed = contraseña cambiada
audit-action-session-ended = sesión terminada
audit-action-privilege-change = permisos cambiados
audit-action-token-created = token de la API creado
audit-action-token-revoked = token de la API revocado
audit-action-setup = centro configurado
audit-action-audit-setting = ajuste de auditoría cambiado

## Consultantes
home-title = Consultantes
home-clients = Mis consultantes
home-clients-supervisor = Consultantes de los profesionales que superviso
home-no-clients = Todavía no hay consultantes. Registre el primero abajo.
register-title = Registrar a un consultante
register-hint = Solo hace falta un nombre. Puede usar un seudónimo; los datos de contacto se guardan cifrados.
register-submit = Registrar
client-title = Consultante
client-details = Datos
client-edit = Editar los datos
client-clinician-count = { $count ->
    [0] Ningún profesional asignado
    [one] Un profesional
   *[other] { $count } profesionales
}
portal-title = Mi tratamiento
portal-welcome = Le damos la bienvenida. Aquí aparecerá lo que su profesional comparta con usted.
crisis-title = Si necesita ayuda ahora
crisis-default = Si está en peligro o piensa en quitarse la vida, llame ahora al número de emergencias de su zona.

## Protocolos
protocols-title = Protocolos
protocols-intro = Los protocolos de TIP que Kith puede llevar. Cada uno fija las sesiones, fases, tareas y medidas de un tratamiento.
protocol-title = Protocolo
protocol-sessions = { $default } sesiones (entre { $min } y { $max }), de { $minutes } minutos cada una
protocol-open-ended = Sin final fijado, sesiones de { $minutes } minutos
protocol-termination-lead = plantear el final { $n } sesiones antes
protocol-phases = Fases
protocol-every-session = En cada sesión
protocol-problem-areas = Áreas problema y estrategias
protocol-focus-ipaf = Foco (foco interpersonal-afectivo)
protocol-measures = Medidas
protocol-pre-session = Antes de la primera sesión
protocol-session-n = Sesión { $n }
protocol-session-range = Sesiones { $from } a { $to }
protocol-session-from = Desde la sesión { $from }
protocol-session-none = No incluida en este contrato
task-required = obligatoria
task-optional = opcional
task-every-session = en cada sesión
cadence-baseline = al inicio
cadence-every-session = en cada sesión
cadence-every-n = cada { $n } sesiones
cadence-mid = a mitad del tratamiento
cadence-end = al final

## Errores
error-go-home = Ir a la página de inicio
error-reference = Referencia { $id }
error-unauthenticated = Inicie sesión
error-second-factor-required = Confirme primero su inicio de sesión con el segundo factor
error-reauth-required = Vuelva a escribir su contraseña
error-not-found = No encontrado
error-forbidden = No tiene acceso a esto
error-invalid = Hay valores que corregir
error-bad-credentials = Correo o contraseña no reconocidos
error-throttled = Demasiados intentos: espere un momento
error-expired = Este enlace ha caducado o ya se usó
error-conflict = Otra persona cambió esto mientras tanto
error-idempotency-mismatch = Esta petición repite otra anterior con un contenido distinto
error-in-progress = La misma petición se está procesando todavía
error-internal = Algo ha fallado por nuestra parte
error-bad-request = No se pudo entender la petición
error-unsupported-media-type = Aquí no se acepta este tipo de contenido
error-csrf = Este formulario ha caducado; recargue la página e inténtelo de nuevo
error-method-not-allowed = Esta acción no está disponible aquí
error-payload-too-large = Lo enviado es demasiado grande
error-timeout = Esto ha tardado demasiado
error-invalid-utf8 = La petición contiene caracteres no válidos
error-malformed-form = No se pudieron leer los datos del formulario
error-unknown-field = La petición contiene un campo inesperado
error-missing-field = Falta un campo obligatorio
error-bad-field = Un campo tiene un valor de un tipo incorrecto
error-malformed-json = No se pudo leer el JSON
error-bad-idempotency-key = La cabecera Idempotency-Key no es válida
detail-body-unreadable = No se pudo leer el cuerpo de la petición.
detail-invalid-utf8 = El texto debe enviarse en UTF-8.
detail-malformed-form = El formulario no es un conjunto válido de datos codificados en URL.
detail-unknown-field = Campo inesperado: { $field }.
detail-missing-field = Falta el campo: { $field }.
detail-bad-field = El campo { $field } tiene un valor de un tipo incorrecto.
detail-malformed-json = El JSON no es válido (línea { $line }).
detail-bad-json-field = El campo { $field } no es válido: { $reason }.
detail-idempotency-key = La clave debe tener entre 1 y 200 caracteres visibles.

## Mensajes de los campos
msg-field-required = Este dato es obligatorio.
msg-field-too-long = Es demasiado largo (como mucho { $max } caracteres).
msg-field-control-characters = Contiene caracteres que no se pueden usar aquí.
msg-field-not-an-email = No parece una dirección de correo.
msg-field-taken = Ya está en uso.
msg-field-out-of-range = Este valor no es ninguna de las opciones.
msg-field-not-a-number = Escriba un número entero.
msg-field-not-a-date = Escriba una fecha como año-mes-día.
msg-date-out-of-range = Esta fecha no es posible.
msg-password-too-short = La contraseña debe tener al menos { $min } caracteres.
msg-password-too-long = La contraseña puede tener como mucho { $max } caracteres.
msg-password-common = Esta contraseña es demasiado común. Elija otra: una frase de varias palabras sin relación funciona bien.
msg-password-contains-name = La contraseña no debe contener «{ $word }».
msg-password-wrong = La contraseña no es correcta.
msg-totp-wrong = El código no es correcto. Compruebe la hora de su teléfono y pruebe con el código más reciente.
msg-totp-used = Ese código ya se usó. Espere al siguiente.
msg-recovery-code-wrong = Ese código de recuperación no es válido o ya se usó.
msg-role-not-allowed = Aquí no se puede asignar este rol.
msg-cannot-change-self = Aquí no puede cambiar su propio acceso.
msg-supervision-roles = Elija una persona de supervisión activa y un profesional activo.
msg-bad-credentials = Correo o contraseña no reconocidos.
msg-conflict = Otra persona guardó un cambio antes. Su versión se muestra abajo; revísela y vuelva a guardar.
msg-throttled = Demasiados intentos. Espere { $seconds } segundos.
