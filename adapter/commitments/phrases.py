"""The phrases the promise rules look for: who acts, what they will do, and the hard negatives (pure regexes).

`cues.py` turns matches into named cues; the patterns read text after `cues.prepare` (lower case,
contractions spelled out, handles and links masked).
"""

from __future__ import annotations

import re

# Who acts: the agent, the company, a named team or person, or "they" (the team the agent just named).
_TEAM_NOUN = (r"(?:team|teams|department|dept|specialists?|agents?|engineers?|experts?|colleagues?|staff|managers?|"
              r"supervisors?|crew|representatives?|reps?|folks|people|office|desk|group|support|advisors?|advisers?|"
              r"leads?|analysts?|technicians?|techs?|developers?|devs|personnel|members?|partners?|"
              r"unit|squad|center|centre|administrators?|admins?|couriers?|drivers?|handlers?|assistants?)")
_ACTOR = (rf"(?P<actor>\bi\b|\bwe\b|\bthey\b|\bhe\b|\bshe\b|\bsomeone\b(?: (?:from|in|on) (?:our|the) (?:[a-z&-]+ ){{0,3}}"
          rf"{_TEAM_NOUN})?|\bsomebody\b|\bone of (?:our|my|the) (?:[a-z&-]+ ){{0,2}}{_TEAM_NOUN}|"
          rf"\b(?:a|an|one|the|our|my) (?:[a-z&-]+ ){{0,3}}{_TEAM_NOUN}(?: (?:team|department))?|"
          rf"\b[a-z]+ (?:from|in|on) (?:our|the) (?:[a-z&-]+ ){{0,2}}{_TEAM_NOUN}|\b(?:[a-z]+ )?(?:member|members) of "
          rf"(?:our|the) (?:[a-z&-]+ ){{0,2}}{_TEAM_NOUN})")
_MODAL = (r"(?P<modal>will|shall|would like to|would love to|want to|wanted to|plan to|intend to|am going to|are going to|"
          r"is going to|am about to|are about to|would|should|can|could|may|might|must|need to|have to|has to|will need to)")
_ADVERB = (r"(?:also|then|personally|definitely|certainly|surely|now|quickly|gladly|happily|further|immediately|"
           r"right away|right now|still|just|be sure to|make sure to|make sure we|continue to|keep|go ahead and|"
           r"look to|aim to|absolutely|promptly|first|soon|shortly|both|all|directly|again|actually|"
           r"really|more|once again|as well|in turn|then also|not|never|able to|get to)")
FUTURE = re.compile(rf"{_ACTOR}\s+{_MODAL}(?P<adverbs>(?:\s+{_ADVERB}\b)*)(?=\s+(?P<rest>[a-z'-]+(?:\s+[a-z0-9'@#-]+){{0,9}}))")
SUBJECTLESS = re.compile(r"^(?:and\s+)?(?:will|shall)\s+(?P<rest>[a-z'-]+(?:\s+[a-z'@-]+){0,5})")
AND_WILL = re.compile(r"(?:\band|\bbut|,)\s+(?:will|shall)\s+(?P<rest>[a-z'-]+(?:\s+[a-z'@-]+){0,5})")

# What the actor will do, by the first words after the modal.
VERBS = {
    "followup": re.compile(r"^(?:get back|follow(?:ing)? up|update|keep (?:you|him|her|them) (?:posted|updated|informed|"
                           r"in the loop|up to date|advised)|let (?:you|him|her|them) know|reach out|reaching out|contact|"
                           r"contacting|call|calling|ring|phone|e-?mail|emailing|message|messaging|dm|text|write|"
                           r"be in (?:touch|contact)|get in touch|be back in touch|touch base|circle back|respond|reply|"
                           r"come back|revert|notify|inform|advise|send|sending|forward (?:you|it to you)|get (?:you|u) "
                           r"(?:an? )?(?:update|answer|response|reply|call|email)|have (?:an? )?(?:update|answer|news|"
                           r"response|reply|more (?:info|information|details))|provide (?:you|an update|more|an answer|"
                           r"further)|be (?:contacting|reaching out|calling|emailing|following up|getting back|"
                           r"sending|updating|in touch|messaging|writing)|check back|check in with|loop back|"
                           r"get (?:it|this|that|them|those|the \w+) (?:over )?to (?:you|u)|be sending|share (?:the|more|"
                           r"an update|updates|details|it) with (?:you|u)|get (?:you |u )?(?:an? |the |some |more |further )?"
                           r"(?:update|updates|answer|response|reply|news|information|info|details|confirmation)|give (?:you|u) (?:a call|an update|a ring|"
                           r"a shout|a heads up|an answer))\b"),
    "check": re.compile(r"^(?:check|checking|look into|looking into|look at|looking at|look over|take (?:a|another) "
                        r"(?:\w+ )?look|have (?:a|another) (?:\w+ )?look|investigate|investigating|review|reviewing|"
                        r"escalate|escalating|research|ask|speak|talk|chat|find out|dig|chase|confirm|verify|"
                        r"double-?check|triple-?check|see (?:what|if|whether|how)|explore|monitor|track|trace|"
                        r"be (?:checking|looking|investigating|reviewing|escalating|monitoring|researching|working)|"
                        r"loop in|consult|raise|flag|get (?:an? )?(?:expert|specialist|engineer|someone|somebody|"
                        r"manager|supervisor|colleague)|have (?:an? |our |the )?(?:\w+ )?(?:expert|specialist|engineer|"
                        r"team|someone|somebody|manager|colleague)|work on|keep working|continue working|keep looking|"
                        r"continue (?:to )?(?:look|check|investigat|work|monitor)\w*|get to the bottom|"
                        r"get (?:this|it|that) (?:checked|looked|reviewed|escalated|investigated)|get (?:someone|"
                        r"somebody)|pull up|test|try to reproduce|reproduce|open a (?:ticket|case|report)|"
                        r"log (?:this|it|a)|file (?:a|an|this)|search|look for|hunt|keep (?:an|my|our|a close) eye on|"
                        r"keep an? (?:eye|close eye) on|keep tabs on)"),
    "act": re.compile(r"^(?:refund|rebook|re-?book|credit|reimburse|process|arrange|fix|resolve|sort|issue|reset|replace|"
                      r"ship|waive|submit|deliver|return|hold|hang on|reunit\w*|take care|handle|cancel|change|"
                      r"add|remove|apply|correct|re-?send|re-?issue|re-?ship|unlock|restore|reactivate|activate|"
                      r"extend|upgrade|adjust|honou?r|compensate|make (?:this|it|things) right|get (?:this|it|that|"
                      r"your|you|the|those|them)\b|have (?:it|this|that|your|them|a|an|the) |set up|schedule|book|"
                      r"transfer|release|deposit|reverse|remove|cover|pay|help|assist|do (?:that|this|it)|"
                      r"put (?:a|the|your|you|in)|place|mail|post|bring|deliver|collect|pick up|"
                      r"be (?:refunding|processing|sending|shipping|arranging|fixing|handling|issuing|"
                      r"delivering|holding|taking care)|provide|initiate|start|begin (?:the|a|your)|open (?:a|the|your)|"
                      r"take it from there|go from there|drop|load|top up|raise a)\b"),
    # Not follow-ups on this case, whatever the actor: these are the hard negatives.
    "hedge": re.compile(r"^(?:try|attempt|do (?:our|my|their|everything|all|whatever)|work (?:hard|diligently)|"
                        r"make every effort|endeavou?r|strive|aim|hope|be trying|continue to work to)\b"),
    "courtesy": re.compile(r"^(?:be (?:happy|glad|pleased|delighted|more than happy|thrilled|honou?red|here|"
                           r"around|available|standing by|ready|waiting|on (?:hand|standby)|with you)|love to|"
                           r"enjoy|look forward|miss|see you|welcome|always|never forget|appreciate|"
                           r"keep (?:our|my) fingers crossed|send (?:[\w#']+ ){0,4}?#?\w*(?:vibes|love|wishes|hugs|luck|thoughts)|"
                           r"talk soon|speak soon|chat soon|catch up soon)\b"),
    "relay": re.compile(r"^(?:pass|share|forward|relay|feed|send (?:this|your|that|it|the) (?:feedback|along|on|over to "
                        r"(?:our|the|their))|get (?:this|that|it|your \w+) (?:right )?over to (?:our|the|their)|"
                        r"let (?:the|our|their|them) (?:\w+ )?(?:know|crew|team)|make sure (?:that )?(?:this|it|that|your \w+|"
                        r"(?:the|our|today's|their) (?:[\w-]+ ){0,3}(?:crew|team|staff|pilot|captain|driver)) (?:is |are |gets |get )?"
                        r"(?:passed|shared|seen|fed back|heard|noted|forwarded|recogni[sz]ed|credited|due credit|thanked)|"
                        r"see to it that|note (?:this|your|that)|"
                        r"take (?:this|your|that) (?:\w+ )?(?:into (?:account|consideration)|on board)|"
                        r"keep (?:this|that|your) (?:\w+ )?in mind|consider|bring (?:this|it|that|your \w+) "
                        r"(?:up )?to|mention (?:this|it)|document)\b"),
    "reassure": re.compile(r"^(?:get (?:you|everyone|the (?:\w+ )?(?:flight|plane|aircraft)|things) (?:going|moving|"
                           r"on (?:your|the|their) way|in the air|airborne|out|there|home|headed|rolling|up and|"
                           r"to (?:your|the|their) (?:destination|gate|final)|off the ground|wheels up|underway|"
                           r"back on track|on board|boarded|through)|have (?:you|everyone|them|those) (?:\w+ )?(?:on "
                           r"(?:your|the) way|in the air|wheels up|out|there|home|going|moving|airborne|headed|"
                           r"to (?:your|the)|rolling|#wheelsup)|see you|take (?:great|excellent|fantastic|good) care|"
                           r"begin boarding|start boarding|be boarding|be (?:departing|leaving|landing|"
                           r"taking off|wheels up|on (?:the|your) way)|depart|land|arrive|take off|make up (?:the |some )?time|"
                           r"get going|be underway|be up and running|be back (?:up|online|to normal))\b"),
    "announce": re.compile(r"^(?:open|launch|start (?:flying|service|offering|selling)|begin (?:flying|service|"
                           r"offering|selling)|release|introduce|roll out|be (?:closed|open|launching|introducing|"
                           r"adding|available|offering|flying|releasing|rolling)|update (?:our|the) (?:system|status|"
                           r"schedule|website|site|page|policy|policies|app|fleet|menu|timetable)|add (?:more )?"
                           r"(?:flights|routes|service|features?)|post (?:updates|an update) (?:on|to)|"
                           r"improve|continue to (?:improve|grow|add))\b"),
    "need": re.compile(r"^(?:need|have to|require|be required|be able|be unable)\b"),
}
VERB_ORDER = ("reassure", "announce", "relay", "hedge", "courtesy", "need", "followup", "check", "act")

# Someone inside the company as the one told: "send a notice to our IT team", "let the crew know".
INTERNAL = re.compile(r"\b(?:to |with |inform |notify |tell |let |alert |advise |update )?(?:our|the|their|my|her|his) "
                      r"(?:[a-z&-]+ ){0,3}(?:team|teams|department|leadership|management|managers?|crew|staff|"
                      r"colleagues?|developers|devs|engineers|it|supervisors?|leaders|office|pilot|captain|"
                      r"driver|employees)\b(?! will| is| are)|\blet (?:her|him|them|the \w+) know\b")
TO_CUSTOMER = re.compile(r"\b(?:you|u|your)\b")
# Verbs that pass something on, as opposed to asking someone: "inform our team" vs "call the depot".
TELLING = re.compile(r"^(?:inform|notify|tell|let|alert|advise|send|convey|report|forward|write|message|email|e-mail|"
                     r"update|share|feed|pass|mention|post)\b")
NEGATED = re.compile(r"\b(?:not|never|no longer|unable to|without)\b")
LET_ME = re.compile(r"\b(?:let me|let us|allow me(?: to)?|allow us(?: to)?|permit me|give (?:me|us) (?:a|one|a few|"
                    r"few|a couple of|some) (?:more )?(?:moments?|minutes?|mins?|secs?|seconds?|time)|bear with me|"
                    r"bear with us|one moment (?:while|as|and) (?:i|we)|a moment (?:while|as) (?:i|we)|"
                    r"(?:just )?a (?:sec|second|minute|moment),? (?:i|we) (?:will|am|are))\b(?!\s+know\b)")
LET_ME_ACTION = re.compile(r"\b(?:let|allow|permit) (?:me|us)(?: to)? (?:quickly |just |kindly |please )?(?:check|look|"
                           r"see|find|investigate|confirm|review|dig|reach|follow|get|double|verify|ask|chat|speak|"
                           r"talk|escalate|take|have|research|pull|loop|grab|contact|call|connect|forward|send|"
                           r"run|look|explore|help|assist|sort|fix|dm|email|message|update|circle|touch|consult|"
                           r"reach out)|\b(?:give|allow) (?:me|us) (?:a|one|a few|few|a couple of|some) (?:more )?"
                           r"(?:moments?|minutes?|mins?|secs?|seconds?|time|hours?)|\bbear with (?:me|us)\b|"
                           r"\bone moment (?:while|as|and) (?:i|we)\b|\b(?:a|one) (?:moment|minute|sec|second),? "
                           r"(?:i|we) (?:will|am|are)\b")
CHECKING_NOW = re.compile(r"(?:^|, )(?:@user )?(?:checking|looking into|looking at|investigating|chasing|escalating) (?!in\b)|"
                          r"\b(?:i am|we are|i'm|we're|team is|team are|they are|engineers are|specialists are)\s+"
                          r"(?:currently |now |still |already |actively |personally |also |just |right now |"
                          r"busy |working on )?(?:checking|looking into|looking at|investigating|following up|"
                          r"escalating|chasing|reviewing|researching|reaching out|contacting|getting in touch|"
                          r"working on (?:this|it|your|a fix|getting|that|the)|on (?:it|this|the case)|"
                          r"in (?:touch|contact) with|speaking (?:with|to)|talking (?:with|to)|waiting (?:on|for) "
                          r"(?:a|an|the) (?:response|reply|answer|update)|monitoring (?:this|it|your)|"
                          r"tracking (?:this|it|your)|digging into|pulling up|processing your|arranging|"
                          r"sending (?:you|u|a|the|over)|going through)")
# Something of the customer's that the company will act on: "your miles will be posted within 48 hours".
DONE_FOR_YOU = re.compile(r"\byour (?:\w+ ){0,2}(?:will|shall|is going to|are going to) (?:also |then |now )?be "
                          r"(?:posted|credited|refunded|processed|issued|reinstated|added|restored|shipped|reimbursed|"
                          r"reviewed|escalated|fixed|replaced|rebooked|corrected|waived|forwarded|investigated|returned|"
                          r"re-?sent|dispatched|sent (?:out|to you)|deposited|transferred|reissued|re-?issued|upgraded|"
                          r"delivered to you)\b")
HEAR_BACK = re.compile(r"\b(?:you|he|she|they|your \w+)\s+(?:will|shall|should|can expect to|may|are going to|"
                       r"will be able to)\s+(?:(?:also|soon|shortly|then|definitely|certainly|be sure to|surely|still)\s+)*"
                       r"(?:be (?:updated|contacted|notified|called|emailed|messaged|informed|advised|hearing|"
                       r"receiving|getting|refunded|credited|reimbursed|sent|rebooked|compensated)|hear (?:back|from)|"
                       r"(?:get|receive|have|see) (?:an? |the |your |our |further |more )?(?:\w+ )?(?:update|reply|"
                       r"response|answer|call|email|e-mail|message|text|dm|news|confirmation|refund|credit|"
                       r"replacement|voucher|compensation|callback|call back|follow-?up|notification|"
                       r"information|info|details|link|letter|decision|outcome|feedback from))\b")
EXPECT = re.compile(r"\b(?:expect|look out for|watch (?:out )?for|keep an eye out for|be on the lookout for)\s+(?:to "
                    r"hear|to receive|to get|an? |the |our |your |further |more |some )\s*(?:\w+ )?(?:from us|update|"
                    r"reply|response|answer|call|email|e-mail|message|dm|text|news|confirmation|refund|credit|"
                    r"replacement|callback|follow-?up|letter|decision|outcome|back)\b")
TELLS_CUSTOMER = re.compile(r"\b(?:update|contact|call|email|e-mail|text|message|dm|ring|phone|notify|inform|advise|tell|"
                            r"let|get back to|reach out to|follow up with|circle back with|touch base with|revert to|"
                            r"write to|respond to|reply to|come back to|be in touch with|get in touch with|call back|"
                            r"ring back|email back|get an? (?:update|answer) to)\s+(?:you|u)\b|\bkeep (?:you|u) (?:posted|updated|"
                            r"informed|in the loop|up to date)\b|\bhear (?:back|from)\b|\bbe (?:back )?in (?:touch|contact)\b|"
                            r"\bget in touch\b|\bback to (?:you|u)\b|\bwith an update\b")
# Sending the customer elsewhere, where someone else will help: "please dial 1-800…, they will gladly assist".
REFERRAL = re.compile(r"\b(?:i|we) (?:would )?(?:suggest|recommend|advise) (?:calling|contacting|reaching|emailing|"
                      r"visiting|speaking|getting in touch|you contact|you call|you reach)\b|"
                      r"\b(?:dial|call|contact|reach out to|visit|speak (?:to|with)|see|ask|go to|head to|stop by|"
                      r"get in touch with|visit)\b[^.!?]{0,80}?\b(?:they|a representative|an agent|someone|the team|"
                      r"our (?:\w+ )?(?:team|agents?|staff|colleagues))\s+(?:will|can|should|would)\b")
CHANNEL = re.compile(r"\b(?:dm|message|email|e-mail|text|mail|post|ping|whatsapp)\s+(?:you|u)\b|"
                     r"\b(?:send|forward|share)\s+(?:you|u)\s+(?:a |an |the |your |some |more |those |that |this )?"
                     r"(?:\w+ )?(?:dm|direct message|private message|email|e-mail|text|message|details|link|info|"
                     r"information|confirmation|receipt|instructions|steps|form|invoice|label|code|number|reference|"
                     r"voucher|copy|screenshots?|documents?|paperwork|tracking|statement|quote|report)\b|"
                     r"\b(?:via|by|over|in|through) (?:a |an )?(?:dm|direct message|private message|email|e-mail|text|"
                     r"phone|post|chat)\b")
POLITE = re.compile(r"\b(?:i|we)\s+(?:would|will|should)?\s*(?:like|love|want|wanted|plan|intend|hope|expect|aim|"
                    r"need) to\s+(?:\w+\s+)?(?:follow up|get back|call|ring|phone|email|e-mail|reach out|touch base|"
                    r"check in|circle back|update|contact|send|confirm|let you know|speak|talk|set up|schedule|"
                    r"arrange|give you)\b")
# Assurances add weight to what follows but do not turn a hedge into a promise ("I assure you we'll do all we can").
ASSURANCE = re.compile(r"\b(?:rest assured|be assured|you have (?:my|our) word|i promise|we promise|i assure you|"
                       r"we assure you|i give you my word|i(?: will|'ll)? make it a priority)\b")
OFFER_QUESTION = re.compile(r"^(?:shall|should|would|can|could|do|may|want|is it ok|would it help|how about)\b|"
                            r"\b(?:would you like|do you want|would you prefer|if you(?: would|'d)? like (?:me|us) to|"
                            r"if you want (?:me|us) to|want (?:me|us) to|shall (?:i|we)|should (?:i|we))\b")
STANDING = re.compile(r"\b(?:feel free|(?:do not|never) hesitate|in the future|going forward|any ?time|anytime|"
                      r"if (?:you|there) (?:ever )?(?:need|have|is|are|run into|encounter|experience|want|require) "
                      r"(?:any|anything|further|more|other|additional|an? \w+ (?:issue|problem|question))|"
                      r"whenever you|should you (?:need|have|require)|next time|(?:any|further) (?:questions|help|"
                      r"assistance|concerns))\b")
COURTESY = re.compile(r"\b(?:happy|glad|pleased|delighted|thrilled|honou?red|love) to\b|\bhope\b|\bhopefully\b|"
                      r"\bwish\b|\benjoy\b|\blook(?:ing)? forward\b|\bhere (?:to help|for you)\b|\bappreciate\b|"
                      r"\bthank|\bsorry\b|\bapologi[sz]e|\bapologies\b|\bwelcome\b")
ABILITY = re.compile(r"\b(?:i|we|they|you|team|staff|agents?|specialists?|colleagues|desk|store|it)\s+(?:can|could|"
                     r"may be able to|might be able to|will be able to|are able to|am able to|is able to|would be able to)\b|"
                     r"^(?:can|could) (?:i|we)\b")
RELAY = re.compile(r"\b(?:pass|passed|passing|share|shared|sharing|forward|forwarded|relay|relayed|feed|fed)\s+(?:\w+\s+)?"
                   r"(?:this|that|it|your|the|these|those|all|on|along|back|them)?\s*(?:\w+\s+)?(?:feedback|comments?|"
                   r"words|compliments?|suggestions?|thoughts|praise|kudos|shout-?outs?|concerns?|experience|"
                   r"recommendation|note|notes|message|love|review|input|request|idea|ideas|interest|along|on|back)\b|"
                   r"\bso (?:they|she|he|it|the \w+) can be (?:recognized|recognised|thanked|commended|acknowledged)\b|"
                   r"\b(?:recogni[sz]ed|commended|acknowledged)\b|\b(?:feedback|comments?|compliments?|kudos|"
                   r"concerns?|suggestions?) (?:is |are |will be |has been |have been |gets )?(?:passed|shared|"
                   r"forwarded|heard|noted|documented|sent)\b")
HEDGE = re.compile(r"\b(?:(?:we|i|they|team|crew|staff)(?: will| are| am| is)? (?:try|trying|tries)|do (?:our|my|their) (?:very )?best|do (?:everything|all|whatever) (?:we|i|they) can|"
                   r"make every effort|work (?:hard|diligently)|endeavou?r|strive|aim to|our goal|can't (?:make any )?"
                   r"guarantee|not (?:make|able to make) (?:any )?(?:guarantees|promises)|hopefully|if possible|"
                   r"if we can|where we can|when possible|whenever possible|(?:not|no) (?:guarantee|promise))\b")
REASSURE = re.compile(r"\b(?:flight|train|plane|aircraft|bus|ferry|ship|sailing|service) (?:\d+ )?(?:is \w+ and )?"
                      r"(?:will|should|is going to) (?:now )?(?:be )?(?:depart|arriv|leav|land|board|tak)|"
                      r"\b(?:get|have|getting)\s+(?:you|everyone|y'all|you all|them|those|the (?:\w+ )?(?:flight|plane|"
                      r"aircraft|bags|luggage))\s+(?:\w+\s+)?(?:going|moving|rolling out|on (?:your|the|their) way|in the air|airborne|out of|headed|rolling|"
                      r"to (?:your|the|their) (?:destination|gate|final)|home|off the ground|wheels'? up|underway|"
                      r"on board|boarded|there)\b|\b(?:begin|start) boarding\b|\bmake up (?:the |some )?time\b|"
                      r"\b(?:depart|take off|land|arrive) (?:shortly|soon|on time|early)\b|"
                      r"\byou (?:will|should|are going to|are) (?:still )?(?:be )?(?:arriv|depart|land|leav|board|"
                      r"mak(?:e|ing) it|get(?:ting)? there|head|pull|fly|flying|travel|connect|taking off|on your way)")
ANNOUNCE = re.compile(r"\b(?:system status|status page|service status|our (?:schedule|timetable)|open (?:our|the) "
                      r"schedule|start flying|begin flying|new (?:route|service|feature|flights)|all (?:customers|"
                      r"passengers|users)|everyone|everybody|all of you|we are (?:aware|experiencing)|"
                      r"known issue|outage|will be (?:closed|open) (?:on|for|from))\b")
DONE = re.compile(r"\b(?:i|we|they|it)\s+(?:have|has|had|just)\s+(?:now\s+|already\s+|just\s+|also\s+)?(?:forwarded|"
                  r"escalated|sent|passed|refunded|submitted|reached out|contacted|checked|looked|reviewed|"
                  r"processed|issued|credited|rebooked|updated|fixed|resolved|added|removed|cancelled|canceled|"
                  r"replied|responded|emailed|called|arranged|shared|raised|logged|confirmed|received|"
                  r"notified|been)\b|\b(?:has|have) been (?:sent|forwarded|escalated|refunded|processed|issued|"
                  r"passed|shared|resolved|fixed|credited)\b")
PURPOSE = re.compile(r"\bso (?:that )?(?:we|i|they|our \w+|the \w+) (?:can|could|may|might|will be able to|are able to|"
                     r"have|get)\b|\bin order (?:for (?:us|me) )?to\b|\b(?:dm|message|email|send|contact|reach out to|"
                     r"follow) (?:us|me)\b[^.!?]{0,60}?\bto (?:look|check|help|assist|review|see|investigate|get|"
                     r"discuss|connect|chat|sort|confirm)")
REQUEST = re.compile(r"^(?:@user\s+)?(?:please|kindly|could you|can you|would you|will you|do you mind|mind|dm us|dm me|"
                     r"send us|send me|message us|email us|shoot us|drop us|follow us|reach out to us|contact us|"
                     r"give us|provide us|share with us|tell us|let us know|let me know|reply with|respond with|"
                     r"what is your|what's your|whats your|what are your|which|what|where|when|how|do you|did you|"
                     r"are you|is your|have you|may i have|may we have|can i have|can we have|could i have|"
                     r"could we have|can i get|can we get|can i|just (?:dm|send|reply)|if you could)\b|"
                     r"\bplease (?:dm|send|message|email|share|provide|follow|reach out|contact|reply|let us|let me|"
                     r"include|confirm|fill|submit|attach|call|give|tell|forward)\b|(?:^|please |just |simply |, |and |or )"
                     r"(?:dm|send|message|email|shoot|drop|ping|follow|contact|reach out to)\s+(?:us|me)\b|\?\s*$")
CUSTOMER_ACT = re.compile(r"\b(?:if|once|when|as soon as|after|provided|should|whenever|upon)\s+(?:you|your \w+)\s+"
                          r"(?:(?:have|has|can|could|would|will|do|are|get)\s+)?(?:\w+\s+)?(?:send|sent|dm|dmed|share|"
                          r"shared|provide|provided|reply|replied|respond|give|fill|filled|submit|submitted|email|"
                          r"emailed|call|called|contact|let (?:us|me) know|confirm|follow|followed|attach|tell|message|"
                          r"reach|get in touch|decide|like|want|wish|prefer|complete|completed|forward|upload|post|"
                          r"tweet|verify|sign|agree|consent|allow|authori[sz]e|return|bring|drop|ship|mail|"
                          r"open|create|log|file|choose|opt|click|visit|go|check (?:back|in)|are able to)\b|"
                          r"^(?:@user )?with (?:your|the) (?:\w+ )?(?:number|details|info|information|reference|confirmation|"
                          r"consent|permission|booking code|record locator)\b|"
                          r"\bshould you (?:decide|wish|choose|want|like|need)\b|\bif you(?: would|'d)? like\b|"
                          r"\byou can (?:\w+ ){0,2}(?:file|submit|send|dm|reply|contact|email|call|fill|share|provide|"
                          r"reach|message|complete|request)\b[^.!?]{0,120}\band (?:i|we|they|our \w+) will\b|"
                          r"\bif you want\b|\bif so\b")
ASK_THEN_PROMISE = re.compile(r"(?:^|please |just |simply |kindly |, )(?:dm|message|email|send|share|provide|reply|respond|follow|tweet|contact|call|shoot|drop|"
                              r"ping|give|submit|fill out|complete|attach|tell|let)\s+(?:us|me|them|our \w+|the \w+)?\b"
                              r"[^.!?]{0,160}?\b(?:and|then|,)\s+(?:i|we|they|our \w+|the \w+ team|someone)\s+(?:will|"
                              r"shall|can|would be happy to|are going to|am going to)\b|"
                              r"^(?:@user\s+)?(?:what is|what's|whats|what are|which|can you|could you|may i have|"
                              r"can i have|can i get|could i have|could i get)\b[^.!?]{0,100}?(?:,|\band)"
                              r"\s*(?:and\s+)?(?:i|we)\s+(?:will|shall|am going to|are going to)\b")
WH_CLAUSE = re.compile(r"\b(?:what|whatever|anything|everything|all|if|whether|how|as|best|where|when)\b[^,.;]*$")
