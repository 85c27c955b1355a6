/** "< Back" to where the patient came from in the portal's tree. */
import { Link } from "wouter"
import { useI18n } from "../i18n/I18n.tsx"

export const BackLink = ({ href }: { readonly href: string }) => {
  const { t } = useI18n()
  return (
    <p>
      <Link href={href} className="back">
        <span aria-hidden="true">&lt; </span>
        {t.back}
      </Link>
    </p>
  )
}
