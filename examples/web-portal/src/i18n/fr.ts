/** The portal's words in (Canadian) French: the same keys as `en.ts`. */
import type { Messages } from "./en.ts"

export const fr: Messages = {
  languageName: "Français",
  switchTo: "English",
  switchToLabel: "Show the portal in English",
  skipToContent: "Aller au contenu principal",
  portal: "Portail patient",
  loading: "Chargement…",
  close: "Fermer",
  back: "Retour",
  backHome: "Retour à l'accueil",
  tryAgain: "Réessayer",
  required: "obligatoire",
  fault: {
    network:
      "Le portail n'a pas pu joindre le serveur de la clinique. Vérifiez votre connexion et réessayez.",
    unexpected: "Un problème est survenu de notre côté. Réessayez dans un moment ou appelez la clinique."
  },
  clinic: {
    notFoundTitle: "Aucune clinique à cette adresse",
    notFound:
      "Vérifiez l'adresse du portail que votre clinique vous a donnée : elle se termine par le nom de votre clinique, par exemple /toronto-west/.",
    chooseTitle: "Ouvrir le portail de votre clinique",
    chooseIntro:
      "Chaque clinique a sa propre adresse de portail. Tapez le nom que votre clinique vous a donné, ou ouvrez le lien de son courriel ou de son texto.",
    slugLabel: "Nom du portail de la clinique",
    slugHint: "Lettres minuscules, chiffres et tirets, p. ex. toronto-west",
    slugInvalid:
      "Utilisez seulement des lettres minuscules, des chiffres et des tirets, p. ex. toronto-west.",
    open: "Ouvrir"
  },
  nav: {
    label: "Principal",
    home: "Accueil",
    messages: "Messages",
    appointments: "Rendez-vous",
    visit: "Visite virtuelle",
    me: "Mes renseignements",
    logout: "Déconnexion"
  },
  login: {
    title: "Connexion",
    intro: (clinic: string) =>
      `Connectez-vous au portail de ${clinic} avec votre carte santé et le courriel ou le numéro de cellulaire que la clinique a dans votre dossier.`,
    identification: "Identification",
    idType: "Type de pièce",
    idTypes: { "ON-HCN": "ON — Carte Santé de l'Ontario (RAMO)" },
    cardNumber: "Numéro de carte santé",
    cardHint:
      "Les 10 chiffres au recto de votre carte, p. ex. 1234 567 890 (les deux lettres qui suivent sont facultatives).",
    contactLegend: "Où devons-nous envoyer votre code?",
    byEmail: "Courriel",
    bySms: "Cellulaire",
    email: "Adresse courriel",
    mobile: "Numéro de cellulaire",
    mobileHint: "Le numéro qui reçoit vos textos, p. ex. 416 555 0123.",
    next: "Suivant",
    sentEmail: (to: string) =>
      `Si les renseignements correspondent à notre dossier, nous avons envoyé un code à 6 chiffres à ${to}. Vérifiez vos courriels, et votre dossier de courrier indésirable s'il n'arrive pas d'ici une minute.`,
    sentSms: (to: string) =>
      `Si les renseignements correspondent à notre dossier, nous avons envoyé un code à 6 chiffres par texto au ${to}.`,
    codeTitle: "Entrez votre code",
    code: "Code d'accès à usage unique",
    codeHint: "6 chiffres. Il expire après 10 minutes.",
    stayLoggedIn: "Rester connecté",
    stayHint: "Pendant 30 jours sur cet appareil. Laissez la case vide sur un ordinateur partagé.",
    submit: "CONNEXION",
    resend: "Envoyer un nouveau code",
    resent: "Un nouveau code est en route. L'ancien ne fonctionne plus.",
    startAgain: "Recommencer",
    lockedHelp: "Pour votre sécurité, ce code ne fonctionne plus. Recommencez pour recevoir un nouveau code.",
    noPortal: "Pas encore accès au portail? Appelez la clinique.",
    sessionEnded:
      "Pour votre sécurité, vous avez été déconnecté après un moment d'inactivité. Reconnectez-vous pour reprendre où vous étiez.",
    errors: {
      cardNumber: "Entrez les 10 chiffres de votre numéro de carte santé.",
      email: "Entrez une adresse courriel comme nom@exemple.org.",
      mobile: "Entrez un numéro de cellulaire avec l'indicatif régional, p. ex. 416 555 0123.",
      code: "Entrez les 6 chiffres du code que nous vous avons envoyé."
    }
  },
  link: {
    title: (clinic: string) => `Un message de ${clinic}`,
    waiting: {
      message: (clinic: string) =>
        `${clinic} vous a envoyé un message sécurisé. Connectez-vous pour le lire.`,
      upload: (clinic: string) =>
        `${clinic} vous demande d'envoyer une photo de façon sécurisée. Connectez-vous pour la téléverser.`
    },
    code: "Code d'accès rapide",
    codeHint: "Les 8 caractères du courriel ou du texto. Les majuscules comptent.",
    dateOfBirth: "Date de naissance",
    dateOfBirthHint: "Comme sur votre carte santé.",
    submit: "CONNEXION",
    expired:
      "Ce lien a expiré. Demandez un nouveau code d'accès rapide, ou connectez-vous avec votre carte santé.",
    used: "Ce lien a déjà été utilisé. Connectez-vous avec votre carte santé pour voir ce qu'il ouvrait.",
    locked:
      "Ce lien est verrouillé après trop d'essais erronés. Demandez un nouveau code d'accès rapide, ou connectez-vous avec votre carte santé.",
    superseded:
      "Un code d'accès rapide plus récent a été envoyé pour ce lien. Utilisez le code du courriel ou du texto le plus récent, ou demandez-en un autre.",
    resend: "Renvoyer le code d'accès rapide",
    resentTo: (where: string) =>
      `Nous avons envoyé un nouveau code d'accès rapide à ${where}. Il fonctionne avec ce même lien.`,
    resentChannel: { email: "votre courriel", sms: "votre cellulaire par texto" },
    continueToLogin: "Continuer vers la connexion",
    notFound:
      "Ce lien n'est pas valide. Vérifiez que vous avez ouvert le lien complet du courriel ou du texto, ou connectez-vous avec votre carte santé.",
    errors: {
      code: "Entrez le code d'accès rapide de 8 caractères.",
      dateOfBirth: "Entrez votre date de naissance.",
      mismatch: (left: number) =>
        `Le code d'accès rapide ou la date de naissance ne correspond pas. Vérifiez les deux : ${left === 1 ? "il reste 1 essai" : `il reste ${left} essais`} avant que le lien se verrouille.`
    }
  },
  home: {
    title: (name: string) => `Bonjour, ${name}`,
    unread: (n: number) =>
      n === 0 ? "Aucun message non lu" : n === 1 ? "1 message non lu" : `${n} messages non lus`,
    nextAppointment: (when: string) => `Prochain rendez-vous : ${when}`,
    noAppointment: "Aucun rendez-vous à venir",
    meSummary: "Coordonnées, adresse et avis",
    visitSummary: "Rejoindre une visite vidéo avec votre code d'accès"
  },
  messages: {
    title: "Messages",
    one: "Message",
    empty: "Aucun message pour l'instant. Quand la clinique vous écrit, le message apparaît ici.",
    unread: "Non lu",
    more: "Messages plus anciens",
    sent: (when: string) => `Envoyé le ${when}`,
    replies: "Réponses",
    you: "Vous",
    reply: "Votre réponse",
    replyHint:
      "La clinique lit les réponses pendant les heures d'ouverture. En cas d'urgence, composez le 911.",
    submit: "Envoyer",
    replied: "Votre réponse a été envoyée.",
    noReply:
      "Cette conversation n'accepte pas de réponse. Pour répondre, appelez la clinique ou parlez-en à votre prochaine visite.",
    errors: { empty: "Tapez une réponse avant de l'envoyer." }
  },
  appointments: {
    title: "Rendez-vous",
    upcoming: "À venir",
    past: "Passés et annulés",
    noneUpcoming: "Aucun rendez-vous à venir.",
    nonePast: "Aucun rendez-vous passé.",
    new: "+ Nouveau rendez-vous",
    details: "Détails",
    status: {
      requested: "Demandé : la clinique le confirmera",
      booked: "Réservé",
      cancelled: "Annulé",
      completed: "Terminé"
    },
    mode: { "in-person": "En personne", virtual: "Virtuel (vidéo)" },
    with: (provider: string) => `avec ${provider}`,
    timeZoneNote: (zone: string) => `Les heures sont celles du fuseau horaire de la clinique (${zone}).`
  },
  booking: {
    title: "Nouveau rendez-vous",
    rescheduleTitle: "Choisir une nouvelle heure",
    type: "Type de rendez-vous",
    provider: "Professionnel",
    choose: "Choisir…",
    slots: "Heures libres",
    days: "Jours avec des heures libres",
    openCount: (n: number) => (n === 1 ? "1 heure libre" : `${n} heures libres`),
    noSlots: "Aucune heure libre cette semaine. Essayez la semaine suivante ou appelez la clinique.",
    previousWeek: "Semaine précédente",
    nextWeek: "Semaine suivante",
    week: (from: string, to: string) => `Du ${from} au ${to}`,
    chosen: (when: string) => `Choisi : ${when}`,
    book: "Réserver",
    request: "Demander",
    requestNote: "La clinique confirme les rendez-vous demandés et vous en avise.",
    confirmMove: (when: string) => `Déplacer au ${when}`,
    booked: "Votre rendez-vous est réservé.",
    requested: "Votre demande a été envoyée. La clinique la confirmera.",
    moved: "Votre rendez-vous a été déplacé.",
    chooseFirst: "Choisissez un type de rendez-vous et un professionnel pour voir les heures libres.",
    duration: (minutes: number) => `${minutes} min`
  },
  appointment: {
    title: "Rendez-vous",
    when: "Quand",
    provider: "Professionnel",
    type: "Type",
    status: "État",
    change: "Changer l'heure",
    cancel: "Annuler le rendez-vous",
    cancelConfirm: "Annuler ce rendez-vous? L'heure sera offerte à un autre patient.",
    cancelYes: "Oui, l'annuler",
    keep: "Le garder",
    cancelled: "Votre rendez-vous a été annulé.",
    tasks: "Avant votre visite",
    noTasks: "Rien à remplir avant cette visite.",
    taskDone: "Terminé : vos réponses sont dans votre dossier.",
    taskCancelled: "Plus nécessaire : le rendez-vous a été annulé.",
    changeWindow: (hours: number) =>
      `Vous pouvez changer ou annuler en ligne jusqu'à ${hours} heures avant la visite. Ensuite, appelez la clinique.`,
    joinVisit: "Comment rejoindre cette visite virtuelle"
  },
  questionnaire: {
    submit: "Envoyer",
    sent: "Merci. Vos réponses ont été versées à votre dossier.",
    yes: "Oui",
    no: "Non",
    summary: (n: number) =>
      n === 1 ? "1 réponse demande votre attention." : `${n} réponses demandent votre attention.`,
    errors: {
      required: "Répondez à cette question.",
      integer: "Entrez un nombre entier.",
      min: (n: number) => `Entrez ${n} ou plus.`,
      max: (n: number) => `Entrez ${n} ou moins.`,
      tooLong: (n: number) => `Utilisez au plus ${n} caractères.`,
      date: "Entrez une date."
    }
  },
  visit: {
    title: "Rejoindre une visite virtuelle",
    intro:
      "Votre code d'accès est dans le courriel ou le texto que la clinique envoie 5 minutes avant votre visite.",
    prepare: "Avant de vous joindre",
    tips: [
      "Utilisez un navigateur à jour : Chrome, Edge, Firefox ou Safari.",
      "Quand le navigateur le demande, autorisez la caméra et le microphone. Si vous avez refusé, autorisez-les dans les paramètres du site.",
      "Utilisez une connexion stable : un Wi-Fi près du routeur ou un bon signal cellulaire. Fermez les autres applications vidéo.",
      "Installez-vous dans un endroit calme et bien éclairé, avec votre carte santé à portée de main."
    ],
    code: "Code d'accès",
    codeHint: "8 caractères. Les majuscules comptent : tapez-le exactement comme dans le message.",
    submit: "Rejoindre",
    ready: (time: string) => `Votre visite est ouverte. Elle est prévue le ${time}`,
    open: "Ouvrir la visite vidéo",
    failedHelp:
      "Si le code ne fonctionne pas : vérifiez chaque caractère (les majuscules comptent), utilisez le message le plus récent, ou appelez la clinique pour un nouveau code.",
    errors: { code: "Entrez le code d'accès de 8 caractères." }
  },
  upload: {
    title: "Téléverser une photo",
    intro:
      "La clinique a demandé une photo. Elle va directement dans votre dossier, et votre professionnel la verra à votre visite.",
    note: "La note de la clinique",
    file: "Photo",
    fileHint: "Une photo JPEG, PNG ou HEIC d'au plus 10 Mo.",
    submit: "Téléverser",
    progress: "Progression du téléversement",
    done: "Votre photo est dans votre dossier. Votre professionnel la verra à votre visite.",
    used: "Cette demande a déjà sa photo. Merci.",
    expired: "Cette demande a expiré. Appelez la clinique si elle a encore besoin de la photo.",
    cancelled: "La clinique a retiré cette demande. Rien à envoyer.",
    errors: {
      missing: "Choisissez une photo à téléverser.",
      tooLarge: (mb: string) => `Ce fichier fait ${mb} Mo. Choisissez une photo d'au plus 10 Mo.`,
      notAPhoto: "Ce fichier n'est pas une photo JPEG, PNG ou HEIC. Choisissez une photo."
    }
  },
  me: {
    title: "Mes renseignements",
    name: "Nom",
    dateOfBirth: "Date de naissance",
    healthCard: "Carte santé",
    email: "Courriel",
    mobile: "Cellulaire",
    none: "Aucun au dossier",
    address: "Adresse",
    line1: "Adresse municipale",
    line2: "Appartement, bureau (facultatif)",
    city: "Ville",
    region: "Province",
    postalCode: "Code postal",
    country: "Pays",
    preferences: "Avis et langue",
    notificationPreference: "M'envoyer les avis par",
    pref: { email: "Courriel", sms: "Texto (SMS)", both: "Les deux" },
    language: "Langue",
    update: "Mettre à jour",
    updated: "Enregistré dans votre dossier.",
    contacts: "Coordonnées de connexion",
    contactsIntro:
      "Un nouveau courriel ou cellulaire doit être confirmé par le code que nous y envoyons. En changer déconnecte vos autres appareils.",
    newEmail: "Nouvelle adresse courriel",
    newMobile: "Nouveau numéro de cellulaire",
    sendCode: "Envoyer le code",
    codeSent: (kind: string) => `Nous avons envoyé un code au nouveau ${kind}. Entrez-le ci-dessous.`,
    verifyCode: "Code",
    verifyCodeHint: "Les 8 caractères envoyés à la nouvelle coordonnée. Les majuscules comptent.",
    verify: "Confirmer",
    verified: "Votre nouvelle coordonnée est enregistrée.",
    sessions: "Appareils connectés",
    current: "Cet appareil",
    started: (when: string) => `Connecté le ${when}`,
    lastSeen: (when: string) => `dernière activité le ${when}`,
    stay: "reste connecté",
    end: "Déconnecter cet appareil",
    ended: "L'autre appareil a été déconnecté.",
    errors: {
      required: "Remplissez ce champ.",
      email: "Entrez une adresse courriel comme nom@exemple.org.",
      mobile: "Entrez un numéro de cellulaire avec l'indicatif régional."
    }
  },
  logout: { done: "Vous êtes déconnecté." }
}
