## Operación del servidor
nav-operator = Centros de este servidor
operator-title = Centros de este servidor
operator-intro = Cada centro está separado: nadie de un centro puede ver nada de otro. Aquí ve nombres y cifras, nunca registros.
operator-new-clinic = Añadir un centro
operator-admin-email = Correo de su primera persona administradora
operator-create = Crear el centro y la invitación
operator-link-made = Envíe este enlace a quien administrará el nuevo centro. Funciona una vez, durante siete días.
operator-clinics = Centros
operator-members = Personas
