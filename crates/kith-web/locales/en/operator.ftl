## Server operator
nav-operator = Clinics on this server
operator-title = Clinics on this server
operator-intro = Each clinic is separate: nobody in one clinic can see anything of another. You see names and numbers here, never records.
operator-new-clinic = Add a clinic
operator-admin-email = Email of its first administrator
operator-create = Create clinic and invitation
operator-link-made = Send this link to the new clinic's administrator. It works once, for seven days.
operator-clinics = Clinics
operator-members = People
